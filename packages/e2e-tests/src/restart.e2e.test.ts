import type { DeployRecord } from '@gitops-backstage/plugin-gitops-common';
import { callPortal } from './portal/portalApi';
import { readHistorySnapshot } from './portal/historySnapshot';

/**
 * Runs after scripts/test restarted the portal's backend: the deploy history
 * the deploys test recorded is still there, row for row.
 */
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

describe('the deploy history after a backend restart', () => {
  it('still holds every row the deploys test recorded, unchanged', async () => {
    const before = await readHistorySnapshot();
    expect(before.items.length).toBeGreaterThan(20);

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
});
