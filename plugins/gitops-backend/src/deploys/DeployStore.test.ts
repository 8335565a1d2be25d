import {
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { ReplicaHeartbeat } from '../lifecycle/ReplicaHeartbeat';
import { DeployStore, NewDeploy } from './DeployStore';

// PostgreSQL runs when scripts/test has started one (it sets the connection
// string and GITOPS_REQUIRE_POSTGRES); SQLite always.
const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});

const target = {
  cluster: 'local',
  namespace: 'apps',
  kustomization: 'shop-dev',
};

function uiDeploy(sha: string, overrides: Partial<NewDeploy> = {}): NewDeploy {
  return {
    ...target,
    entityRef: 'component:default/shop',
    environment: 'development',
    method: 'gitops-ui',
    status: 'pending',
    commitSha: sha,
    triggeredBy: 'user:default/jane',
    ...overrides,
  };
}

describe('DeployStore', () => {
  it('runs on PostgreSQL in the suite', () => {
    expect(
      !process.env.GITOPS_REQUIRE_POSTGRES || databases.supports('POSTGRES_15'),
    ).toBe(true);
  });

  it.each(databases.eachSupportedId())(
    "lists an entity's rows without those of its name as registered from another repository on %s",
    async (id: TestDatabaseId) => {
      const knex = await databases.init(id);
      await DeployStore.migrate(knex);
      const store = new DeployStore(knex);
      const other = { ...target, kustomization: 'elsewhere' };
      await store.insert({
        ...uiDeploy('a'.repeat(40), {
          entityRepository: 'git.example.com/acme/shop-earlier',
        }),
        ...other,
      });
      await store.insert({
        ...uiDeploy('b'.repeat(40), {
          entityRepository: 'git.example.com/acme/shop',
        }),
        ...other,
      });
      // Recorded before rows carried a repository: kept, by name.
      await store.insert({ ...uiDeploy('c'.repeat(40)), ...other });
      const rows = await store.list({
        entityRef: 'component:default/shop',
        entityRepository: 'git.example.com/acme/shop',
      });
      expect(rows.map(r => [r.commitSha?.[0], r.entityRepository])).toEqual([
        ['c', undefined],
        ['b', 'git.example.com/acme/shop'],
      ]);
    },
  );

  it.each(databases.eachSupportedId())(
    'records, filters and updates deploys on %s',
    async (id: TestDatabaseId) => {
      const knex = await databases.init(id);
      await DeployStore.migrate(knex);
      const store = new DeployStore(knex);

      const first = await store.insert(uiDeploy('a'.repeat(40)));
      expect(first).toMatchObject({
        id: expect.any(Number),
        status: 'pending',
      });
      // The same commit through the same Kustomization is one deploy.
      expect(
        await store.insert(uiDeploy('a'.repeat(40), { method: 'gitops-git' })),
      ).toBeUndefined();
      await store.insert({
        ...uiDeploy('b'.repeat(40), {
          method: 'gitops-git',
          status: 'succeeded',
        }),
        entityRef: undefined,
      });
      await store.insert({
        ...uiDeploy(undefined as any, {
          method: 'manual',
          status: 'succeeded',
        }),
        commitSha: undefined,
        externalKey: 'uid-1:kubectl-edit:2026-11-23T00:00:00Z',
        details: { image: 'nginx:1.28' },
      });
      expect(
        await store.insert({
          ...uiDeploy(undefined as any, { method: 'manual' }),
          commitSha: undefined,
          externalKey: 'uid-1:kubectl-edit:2026-11-23T00:00:00Z',
        }),
      ).toBeUndefined();

      // Found by entity ref or by the entity's Kustomizations.
      const all = await store.list({ targets: [target] });
      expect(all.map(d => d.method)).toEqual([
        'manual',
        'gitops-git',
        'gitops-ui',
      ]);
      expect(all[0].details).toEqual({ image: 'nginx:1.28' });
      expect(
        (
          await store.list({
            entityRef: 'component:default/shop',
            method: 'gitops-git',
          })
        ).length,
      ).toBe(0);

      // Updates apply only from the expected state.
      expect(
        await store.update(first!.id, ['pending'], { status: 'progressing' }),
      ).toBe(true);
      expect(
        await store.update(first!.id, ['pending'], { status: 'failed' }),
      ).toBe(false);
      expect(
        await store.update(first!.id, ['progressing'], {
          status: 'succeeded',
          finishedAt: new Date().toISOString(),
        }),
      ).toBe(true);
      const done = await store.get(first!.id);
      expect(done?.status).toBe('succeeded');
      expect(done?.finishedAt).toBeDefined();

      const claimed = await store.claimForPipeline(target, 'b'.repeat(40), {
        triggeredBy: 'pipeline:build',
        pipelineUrl: 'https://ci.example.com/runs/1',
      });
      expect(claimed).toMatchObject({
        method: 'pipeline',
        triggeredBy: 'pipeline:build',
      });
    },
    60_000,
  );

  it.each(databases.eachSupportedId())(
    'keeps one row when two replicas record the same deploy at once on %s',
    async (id: TestDatabaseId) => {
      const knex = await databases.init(id);
      await DeployStore.migrate(knex);
      const replicas = [new DeployStore(knex), new DeployStore(knex)];
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          replicas[i % 2].insert(
            uiDeploy('c'.repeat(40), {
              method: 'gitops-git',
              status: 'succeeded',
            }),
          ),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await replicas[0].list({ targets: [target] })).toHaveLength(1);
    },
    60_000,
  );

  it.each(databases.eachSupportedId())(
    'lists the pending pushes of replicas that left or went silent, not of live ones, on %s',
    async (id: TestDatabaseId) => {
      const knex = await databases.init(id);
      await DeployStore.migrate(knex);
      const store = new DeployStore(knex);
      const logger = mockServices.logger.mock();
      const live = new ReplicaHeartbeat(knex, logger);
      const silent = new ReplicaHeartbeat(knex, logger);
      const leaving = new ReplicaHeartbeat(knex, logger);
      const unfinished = new ReplicaHeartbeat(knex, logger);
      for (const replica of [live, silent, leaving, unfinished]) {
        await replica.beat();
      }
      await knex('gitops_replicas')
        .where({ id: silent.id })
        .update({ heartbeat_at: new Date(Date.now() - 60_000) });
      // Left with its work done: its row goes. Left with work unfinished:
      // its row stays, and it is silent from now on.
      await leaving.stop({ unfinished: 0 });
      await unfinished.stop({ unfinished: 1 });

      const pushing = async (sha: string, replica?: string) =>
        (await store.insert(uiDeploy(sha, { pushingReplica: replica })))!.id;
      const ofLive = await pushing('a'.repeat(40), live.id);
      const ofSilent = await pushing('b'.repeat(40), silent.id);
      const ofLeaving = await pushing('c'.repeat(40), leaving.id);
      const ofUnfinished = await pushing('d'.repeat(40), unfinished.id);
      await pushing('e'.repeat(40)); // pushed: its mark is gone
      const failed = await pushing('f'.repeat(40), silent.id);
      await store.update(failed, ['pending'], { status: 'failed' });

      const silentSince = new Date(Date.now() - 30_000);
      expect(
        (await store.pushesOfStoppedReplicas(silentSince)).map(d => d.id),
      ).toEqual([ofSilent, ofLeaving]);
      // Later, the replica that stopped with work unfinished is silent too.
      expect(
        (await store.pushesOfStoppedReplicas(new Date(Date.now() + 1_000))).map(
          d => d.id,
        ),
      ).toEqual([ofLive, ofSilent, ofLeaving, ofUnfinished]);

      await store.update(ofSilent, ['pending'], { pushingReplica: null });
      expect(
        (await store.pushesOfStoppedReplicas(silentSince)).map(d => d.id),
      ).toEqual([ofLeaving]);
    },
  );
});
