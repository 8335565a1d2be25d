import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import { DeployStore } from '../deploys/DeployStore';
import { NoticeLedger } from './NoticeLedger';

// PostgreSQL runs when scripts/test has started one; SQLite always.
const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});

describe('NoticeLedger', () => {
  it.each(databases.eachSupportedId())(
    'grants the first claim of a notice only, to one ledger or two, and forgets week-old ones, on %s',
    async (id: TestDatabaseId) => {
      const knex = await databases.init(id);
      await DeployStore.migrate(knex);
      const [one, other] = [new NoticeLedger(knex), new NoticeLedger(knex)];
      const claims = await Promise.all([
        one.claim('local/Kustomization/apps/shop/failed/t1'),
        other.claim('local/Kustomization/apps/shop/failed/t1'),
      ]);
      expect(claims.sort()).toEqual([false, true]);
      expect(await one.claim('local/Kustomization/apps/shop/failed/t1')).toBe(
        false,
      );
      expect(await other.claim('local/Kustomization/apps/shop/failed/t2')).toBe(
        true,
      );

      await knex('gitops_notices').update({
        created_at: new Date(Date.now() - 8 * 24 * 60 * 60_000),
      });
      expect(await one.claim('local/Kustomization/apps/shop/failed/t3')).toBe(
        true,
      );
      // PostgreSQL counts as a string.
      const [{ n }] = await knex('gitops_notices').count({ n: '*' });
      expect(Number(n)).toBe(1);
    },
  );
});
