import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import { HealthReport } from '@gitops-backstage/plugin-gitops-common';
import { DiagnosticsStore } from './DiagnosticsStore';

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});

function report(
  id: string,
  cluster: string,
  startedAt: string,
  finishedAt: string,
): HealthReport {
  return {
    id,
    cluster,
    trigger: 'manual',
    startedAt,
    finishedAt,
    status: 'passed',
    checks: [],
    findings: [],
    syncSummary: {},
  };
}

async function storeOn(id: TestDatabaseId) {
  const knex = await databases.init(id);
  const store = await DiagnosticsStore.create({
    getClient: async () => knex,
    migrations: { skip: false },
  });
  return store;
}

describe('DiagnosticsStore', () => {
  it.each(databases.eachSupportedId())(
    'takes the check that started last as the newest, even when an older one finished after it, on %s',
    async id => {
      const store = await storeOn(id);
      // A slow check started first and finished last; a quick one started
      // after it saw the cluster more recently.
      await store.addReport(
        report(
          'quick',
          'local',
          '2026-12-05T10:00:10Z',
          '2026-12-05T10:00:20Z',
        ),
      );
      await store.addReport(
        report('slow', 'local', '2026-12-05T10:00:00Z', '2026-12-05T10:01:00Z'),
      );
      await store.addReport(
        report('other', 'east', '2026-12-05T09:00:00Z', '2026-12-05T09:00:05Z'),
      );
      const latest = await store.latestReports();
      expect(latest.map(r => r.id).sort()).toEqual(['other', 'quick']);
      expect((await store.reports('local', 10)).map(r => r.id)).toEqual([
        'quick',
        'slow',
      ]);
    },
  );

  it.each(databases.eachSupportedId())(
    'answers one report per cluster when two started at once, on %s',
    async id => {
      const store = await storeOn(id);
      await store.addReport(
        report('a', 'local', '2026-12-05T10:00:00Z', '2026-12-05T10:00:20Z'),
      );
      await store.addReport(
        report('b', 'local', '2026-12-05T10:00:00Z', '2026-12-05T10:00:30Z'),
      );
      expect((await store.latestReports()).map(r => r.id)).toEqual(['b']);
    },
  );
});
