import fs from 'node:fs/promises';
import path from 'node:path';
import type { DeployRecord } from '@gitops-backstage/plugin-gitops-common';

/** The deploy history of one entity, as the deploys test left it. */
export interface HistorySnapshot {
  entityPath: string;
  items: DeployRecord[];
}

// Tests run from this package's folder; results live at the repository
// root. Not beside the Jest result files, which the summary counts.
const snapshotFile = path.resolve(
  process.env.TEST_RESULTS_DIR ?? '../../test-results',
  'state',
  'deploy-history-before-restart.json',
);

export async function writeHistorySnapshot(
  snapshot: HistorySnapshot,
): Promise<void> {
  await fs.mkdir(path.dirname(snapshotFile), { recursive: true });
  await fs.writeFile(snapshotFile, JSON.stringify(snapshot, null, 2));
}

/** Throws when the deploys test did not leave a snapshot. */
export async function readHistorySnapshot(): Promise<HistorySnapshot> {
  try {
    return JSON.parse(await fs.readFile(snapshotFile, 'utf8'));
  } catch (error) {
    throw new Error(
      `no deploy history snapshot at ${snapshotFile}; run deploys.e2e.test.ts before restarting the backend (${error})`,
    );
  }
}
