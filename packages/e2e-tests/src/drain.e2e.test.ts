import type { DeployResult } from '@gitops-backstage/plugin-gitops-common';
import { backendUrl, callPortal, guestToken } from './portal/portalApi';
import { newDeployTarget } from './portal/deployTarget';
import { psqlInPluginDatabase } from './portal/portalDatabase';
import {
  DrainedDeploy,
  isRunning,
  portalLog,
  portalPid,
  writeState,
} from './portal/portalProcess';
import { TestGitServer } from './stack/gitea';
import { waitFor } from './stack/kube';
import { PushControl } from './stack/pushControl';
import { readStackEnv } from './stack/stackEnv';

jest.setTimeout(240_000);

const env = readStackEnv();
const git = new TestGitServer(env);

/**
 * SIGTERM to the portal as deployed (the production bundle, run by
 * scripts/test right before it starts the portal again): a load balancer
 * sees it leave, a deploy in the middle of its push still finishes and is
 * recorded, and the process closes its watches and exits.
 */
describe('the portal on SIGTERM', () => {
  it('finishes a deploy in flight, refuses new requests, then exits', async () => {
    const target = await newDeployTarget('e2e-drain', ['development']);
    await target.appliedEverywhere();
    const pushes = await PushControl.install(env, target.repo);
    const token = await guestToken();
    const pid = portalPid();

    await pushes.holdNext();
    const deploying = callPortal(`${target.entityPath}/deploys`, {
      method: 'POST',
      token,
      body: {
        environment: 'development',
        changes: { image: 'nginx:1.28' },
        message: 'deployed while the portal shuts down',
      },
    });
    await pushes.held();
    process.kill(pid, 'SIGTERM');

    // The load balancer's signal, at once; the delay keeps serving meanwhile.
    await waitFor('readiness to answer 503', async () => {
      const response = await fetch(
        `${backendUrl}/.backstage/health/v1/readiness`,
      );
      return response.status === 503 ? response : undefined;
    });
    // After the delay the plugin refuses new requests; the deploy still waits.
    await waitFor(
      'new GitOps requests to be refused with 503',
      async () => {
        const response = await callPortal('/api/gitops/clusters', { token });
        return response.status === 503 ? response : undefined;
      },
      15_000,
    );
    expect(isRunning(pid)).toBe(true);

    await pushes.release();
    const response = await deploying;
    expect(response.status).toBe(201);
    const { deploy }: DeployResult = await response.json();
    expect(deploy.commitSha).toMatch(/^[0-9a-f]{40}$/);
    expect(
      await git.readFile(target.repo, 'development/gitops-deploy-patch.yaml'),
    ).toContain('nginx:1.28');

    await waitFor(
      'the portal process to exit',
      async () => !isRunning(pid) || undefined,
      30_000,
    );
    const log = portalLog();
    expect(log).toMatch(
      /Shutdown waits for \d+ GitOps request\(s\) or scheduled run\(s\) in flight/,
    );
    expect(log).toContain(
      'GitOps shut down: nothing in flight, watches closed, workspace removed',
    );
    expect(log).not.toContain('unfinished');
    // The events backend is installed: no plugin fell back to this process.
    expect(log).not.toContain('events backend not found');
    // Its scheduled tasks' locks were released, not left to time out.
    const tasks = 'SELECT id FROM backstage_backend_tasks__tasks';
    expect(psqlInPluginDatabase('gitops', tasks)).toEqual(
      expect.arrayContaining(['gitops-deploy-tracker']),
    );
    expect(
      psqlInPluginDatabase(
        'gitops',
        `${tasks} WHERE current_run_ticket IS NOT NULL`,
      ),
    ).toEqual([]);

    // Its tracker stopped before the deploy was recorded: the next process
    // must finish it (restart.e2e), this one left it open.
    expect(['pending', 'progressing']).toContain(deploy.status);
    expect(
      psqlInPluginDatabase(
        'gitops',
        "SELECT status FROM gitops_deploys WHERE id = :'id'",
        { id: String(deploy.id) },
      ),
    ).toEqual([deploy.status]);

    writeState('drained-deploy', {
      entityPath: target.entityPath,
      deployId: deploy.id,
      commitSha: deploy.commitSha!,
    } satisfies DrainedDeploy);
    await pushes.remove();
  });
});
