import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { repoPath } from '../stack/stackEnv';

const run = promisify(execFile);

/**
 * Starts or stops one stack component (of the stack's second cluster with
 * `cluster: 'second'`); for a Flux controller the script also waits until
 * its Deployment shows the change (Available True/False).
 */
export async function controlComponent(
  action: 'start' | 'stop',
  component: string,
  cluster: 'primary' | 'second' = 'primary',
): Promise<void> {
  await run(repoPath('stack', 'component'), [action, component], {
    env: { ...process.env, GITOPS_STACK_CLUSTER: cluster },
    timeout: 150_000,
  });
}
