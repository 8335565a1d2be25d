import {
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { ReplicaHeartbeat } from '../lifecycle/ReplicaHeartbeat';
import { DeployStore, NEVER_PUSHED, NewDeploy } from './DeployStore';

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
    'lists pending pushes with their replica and its heartbeat, and updates one only while it is still that push, on %s',
    async (id: TestDatabaseId) => {
      const knex = await databases.init(id);
      await DeployStore.migrate(knex);
      const store = new DeployStore(knex);
      const logger = mockServices.logger.mock();
      const live = new ReplicaHeartbeat(knex, logger);
      const leaving = new ReplicaHeartbeat(knex, logger);
      const unfinished = new ReplicaHeartbeat(knex, logger);
      for (const replica of [live, leaving, unfinished]) {
        await replica.beat();
      }
      // Left with its work done: its row goes. Left with work unfinished:
      // its row stays, unchanged from now on.
      await leaving.stop({ unfinished: 0 });
      await unfinished.stop({ unfinished: 1 });

      const pushing = async (sha: string, replica?: string) =>
        (await store.insert(uiDeploy(sha, { pushingReplica: replica })))!.id;
      const ofLive = await pushing('a'.repeat(40), live.id);
      const ofLeaving = await pushing('c'.repeat(40), leaving.id);
      const ofUnfinished = await pushing('d'.repeat(40), unfinished.id);
      await pushing('e'.repeat(40)); // pushed: its mark is gone
      const failed = await pushing('f'.repeat(40), live.id);
      await store.update(failed, ['pending'], { status: 'failed' });

      const inFlight = await store.pushesInFlight();
      expect(
        inFlight.map(p => ({
          id: p.deploy.id,
          replica: p.replica,
          beating: p.heartbeat !== undefined,
        })),
      ).toEqual([
        { id: ofLive, replica: live.id, beating: true },
        { id: ofLeaving, replica: leaving.id, beating: false },
        { id: ofUnfinished, replica: unfinished.id, beating: true },
      ]);
      const heartbeatOf = (replica: string) =>
        inFlight.find(p => p.replica === replica)!.heartbeat;
      await new Promise(resolve => setTimeout(resolve, 5));
      await live.beat();
      expect(
        (await store.pushesInFlight()).find(p => p.replica === live.id)!
          .heartbeat,
      ).not.toBe(heartbeatOf(live.id));

      // Only while it is the same push: not after a rebase moved it.
      const mark = { replica: leaving.id, commitSha: 'c'.repeat(40) };
      await store.update(ofLeaving, ['pending'], { commitSha: 'b'.repeat(40) });
      expect(
        await store.updatePushInFlight(ofLeaving, mark, { status: 'failed' }),
      ).toBe(false);
      const moved = { ...mark, commitSha: 'b'.repeat(40) };
      expect(
        await store.updatePushInFlight(ofLeaving, moved, {
          status: 'failed',
          reason: NEVER_PUSHED,
          finishedAt: new Date().toISOString(),
          pushingReplica: null,
        }),
      ).toBe(true);
      expect(
        await store.updatePushInFlight(ofLeaving, moved, { status: 'failed' }),
      ).toBe(false);

      // Its push went through after all: open again, as pending.
      expect(await store.reopenNeverPushed(ofLeaving)).toBe(true);
      const reopened = await store.get(ofLeaving);
      expect(reopened).toMatchObject({ status: 'pending' });
      expect(reopened?.reason).toBeUndefined();
      expect(reopened?.finishedAt).toBeUndefined();
      expect(await store.reopenNeverPushed(failed)).toBe(false);
    },
  );
});
