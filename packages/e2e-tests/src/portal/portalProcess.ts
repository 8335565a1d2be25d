import fs from 'node:fs';
import path from 'node:path';

/** Results of the run: tests run from this package's folder. */
export const resultsDir = path.resolve(
  process.env.TEST_RESULTS_DIR ?? '../../test-results',
);

/** The pid scripts/lib/portal.sh started the portal's backend with. */
export function portalPid(): number {
  return Number(fs.readFileSync(path.join(resultsDir, 'portal.pid'), 'utf8'));
}

/** What the running portal logged so far. */
export function portalLog(): string {
  return fs.readFileSync(path.join(resultsDir, 'portal.log'), 'utf8');
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A fact one suite leaves for the next, after scripts/test restarted the portal. */
export const stateFile = (name: string) =>
  path.join(resultsDir, 'state', `${name}.json`);

export function writeState(name: string, value: unknown): void {
  fs.mkdirSync(path.dirname(stateFile(name)), { recursive: true });
  fs.writeFileSync(stateFile(name), JSON.stringify(value, null, 2));
}

export function readState<T>(name: string): T {
  try {
    return JSON.parse(fs.readFileSync(stateFile(name), 'utf8'));
  } catch (error) {
    throw new Error(`no state '${name}' at ${stateFile(name)}: ${error}`);
  }
}

/** The deploy drain.e2e saw answered while the portal shut down. */
export interface DrainedDeploy {
  entityPath: string;
  deployId: number;
  commitSha: string;
}
