import type { DeployRecord } from '@gitops-backstage/plugin-gitops-common';
import { backendUrl, callPortal, guestToken } from './portal/portalApi';
import { readHistorySnapshot } from './portal/historySnapshot';
import { DrainedDeploy, readState } from './portal/portalProcess';
import { waitFor } from './stack/kube';

jest.setTimeout(180_000);

/** What a row is, whatever the tracker did since. */
function identity(row: DeployRecord) {
  const { entityRef, method, environment, commitSha } = row;
  const { commitMessage, triggeredBy, createdAt } = row;
  return {
    entityRef,
    method,
    environment,
    commitSha,
    commitMessage,
    triggeredBy,
    createdAt,
  };
}

/** Opens a signals WebSocket as the guest; the time it took, or the failure. */
async function openSignals(timeoutMs: number): Promise<number> {
  const url = `${backendUrl.replace(/^http/, 'ws')}/api/signals`;
  const socket = new WebSocket(url, await guestToken());
  const started = Date.now();
  try {
    return await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
      socket.onopen = () => {
        clearTimeout(timer);
        resolve(Date.now() - started);
      };
      socket.onerror = () => {
        clearTimeout(timer);
        reject(new Error('the upgrade failed'));
      };
    });
  } finally {
    socket.close();
  }
}

/**
 * Runs after scripts/test restarted the portal's backend: signals answer at
 * once, and the deploy history the deploys test recorded is still there, row
 * for row.
 */
describe('the portal after a backend restart', () => {
  // Runs first: the signals backend used to leave the first upgrade after a
  // start unanswered, so the first page got no live updates for seconds.
  it('opens the first signals connection at once', async () => {
    await expect(openSignals(2000)).resolves.toBeLessThan(2000);
  });

  it('still holds every row the deploys test recorded, unchanged', async () => {
    const before = await readHistorySnapshot();
    // The deploys test's story entity: a row of every method (its 20
    // concurrent deploys go to an entity of their own).
    expect(new Set(before.items.map(row => row.method))).toEqual(
      new Set(['gitops-git', 'gitops-ui', 'pipeline', 'manual']),
    );

    const response = await callPortal(`${before.entityPath}/deploys?limit=500`);
    expect(response.status).toBe(200);
    const after: typeof before.items = (await response.json()).items;

    const byId = new Map(after.map(row => [row.id, row]));
    for (const row of before.items) {
      const kept = byId.get(row.id);
      expect(kept).toBeDefined();
      expect(identity(kept!)).toEqual(identity(row));
    }
    // Finished deploys stay as they were; none is reopened by the restart.
    const finished = before.items.filter(row =>
      ['succeeded', 'failed'].includes(row.status),
    );
    expect(finished.length).toBeGreaterThan(0);
    for (const row of finished) {
      expect(byId.get(row.id)).toMatchObject({
        status: row.status,
        finishedAt: row.finishedAt,
      });
    }
  });

  // drain.e2e answered a deploy while the last process shut down; this
  // process's tracker must finish it, not leave it pending.
  it('finishes tracking the deploy the last process answered while draining', async () => {
    const drained = readState<DrainedDeploy>('drained-deploy');
    const row = await waitFor(
      'the drained deploy to be tracked to the end',
      async () => {
        const response = await callPortal(`${drained.entityPath}/deploys`);
        const items: DeployRecord[] = (await response.json()).items;
        const found = items.find(item => item.id === drained.deployId);
        return found && !['pending', 'progressing'].includes(found.status)
          ? found
          : undefined;
      },
      150_000,
    );
    expect(row).toMatchObject({
      commitSha: drained.commitSha,
      method: 'gitops-ui',
      status: 'succeeded',
    });
  });
});
