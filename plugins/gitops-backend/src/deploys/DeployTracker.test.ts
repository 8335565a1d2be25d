import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mockServices } from '@backstage/backend-test-utils';
import { FluxEntityResolver } from '../entities/FluxEntityResolver';
import { FluxStatusService } from '../status/FluxStatusService';
import {
  FakeClusterClient,
  flux,
  syncedWatcher,
} from '../__testUtils__/fakeCluster';
import {
  git,
  integrationsForFileRepos,
  migratedDatabase,
} from '../__testUtils__/localStores';
import { ReplicaHeartbeat } from '../lifecycle/ReplicaHeartbeat';
import { DeployStore } from './DeployStore';
import { DeployTracker } from './DeployTracker';
import { GitWorkspace } from './GitWorkspace';
import { OverlayRepos } from './overlayRepo';

jest.setTimeout(30_000); // git clones and fetches, slow on a busy machine

const labels = { 'gitops.backstage.io/environment': 'development' };

describe('DeployTracker', () => {
  let root: string;
  let repoUrl: string;
  let shas: string[];

  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-tracker-'));
    const origin = path.join(root, 'origin.git');
    git(root, 'init', '-q', '--bare', '-b', 'main', origin);
    const work = path.join(root, 'work');
    git(root, 'init', '-q', '-b', 'main', work);
    shas = ['one', 'two'].map(name => {
      fs.writeFileSync(path.join(work, name), name);
      git(work, 'add', '-A');
      git(work, 'commit', '-q', '-m', `commit ${name}`);
      return git(work, 'rev-parse', 'HEAD');
    });
    git(work, 'push', '-q', origin, 'HEAD:main');
    repoUrl = `file://${origin}`;
  });

  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  async function setup(objects: any[], timeoutMs?: number) {
    const { client, watcher } = await syncedWatcher(
      new FakeClusterClient().add(...objects),
    );
    const db = await migratedDatabase();
    const store = new DeployStore(db);
    const logger = mockServices.logger.mock();
    const integrations = integrationsForFileRepos();
    // Hosts named no-integration have none (the others: the file:// origin).
    jest
      .spyOn(integrations.gitea, 'byUrl')
      .mockImplementation(url =>
        String(url).includes('no-integration')
          ? undefined
          : ({ config: { username: 'bot', password: 'pw' } } as any),
      );
    const workspace = new GitWorkspace(
      fs.mkdtempSync(path.join(root, 'ws-')),
      {
        name: 'Backstage GitOps',
        email: 'gitops@example.com',
      },
      // The test's repositories are local bare ones.
      { protocols: ['file'] },
    );
    const tracker = new DeployTracker({
      status: new FluxStatusService([watcher]),
      entities: {
        entityRefOf: async () => 'component:default/shop',
      } as unknown as FluxEntityResolver,
      store,
      repos: new OverlayRepos(workspace, integrations),
      logger,
      timeoutMs,
      replicaId: 'tracker-replica',
      replicaSilentMs: 30_000,
    });
    return { client, watcher, store, tracker, logger, workspace, db };
  }

  const target = {
    cluster: 'local',
    namespace: 'apps',
    kustomization: 'shop-dev',
  };

  it('records a revision Flux applied that no deploy of ours produced, once', async () => {
    const { watcher, store, tracker } = await setup([
      flux.kustomization('shop-dev', 'apps', {
        labels,
        source: 'shop-repo',
        revision: `main@sha1:${shas[1]}`,
      }),
      flux.gitRepository('shop-repo', 'apps', { url: repoUrl }),
    ]);
    try {
      await tracker.run();
      await tracker.run();
      const rows = await store.list({ limit: 10 });
      expect(rows).toEqual([
        expect.objectContaining({
          ...target,
          method: 'gitops-git',
          status: 'succeeded',
          environment: 'development',
          entityRef: 'component:default/shop',
          commitSha: shas[1],
          commitMessage: 'commit two',
          commitAuthor: 'Dev Eloper',
          triggeredBy: 'git:Dev Eloper',
        }),
      ]);
    } finally {
      watcher.stop();
    }
  });

  it('keeps tracking the rest of the cluster when one repository has no integration or cannot be read', async () => {
    const { watcher, store, tracker, logger } = await setup([
      flux.kustomization('alpha-dev', 'apps', {
        labels,
        source: 'alpha-repo',
        revision: `main@sha1:${shas[0]}`,
      }),
      flux.gitRepository('alpha-repo', 'apps', {
        url: 'https://no-integration.example.com/team/alpha.git',
      }),
      flux.kustomization('beta-dev', 'apps', {
        labels,
        source: 'beta-repo',
        revision: `main@sha1:${shas[0]}`,
      }),
      flux.gitRepository('beta-repo', 'apps', { url: 'not a url' }),
      flux.kustomization('shop-dev', 'apps', {
        labels,
        source: 'shop-repo',
        revision: `main@sha1:${shas[1]}`,
      }),
      flux.gitRepository('shop-repo', 'apps', { url: repoUrl }),
    ]);
    try {
      await tracker.run();
      const rows = await store.list({ limit: 10 });
      const byKustomization = Object.fromEntries(
        rows.map(r => [r.kustomization, r]),
      );
      expect(Object.keys(byKustomization).sort()).toEqual([
        'alpha-dev',
        'beta-dev',
        'shop-dev',
      ]);
      // The readable repository still gets its commit read.
      expect(byKustomization['shop-dev']).toMatchObject({
        commitSha: shas[1],
        commitMessage: 'commit two',
      });
      // The others are recorded without what only Git could tell.
      expect(byKustomization['alpha-dev'].commitMessage).toBeUndefined();
      expect(byKustomization['alpha-dev'].triggeredBy).toBe('git');
      expect(logger.warn).toHaveBeenCalledWith(
        expect.stringContaining('no-integration.example.com'),
      );
    } finally {
      watcher.stop();
    }
  });

  it('records spec changes by other field managers as manual deploys', async () => {
    const { watcher, store, tracker } = await setup([
      flux.kustomization('shop-dev', 'apps', { labels }),
      flux.deployment('shop', 'apps', {
        labels: {
          'kustomize.toolkit.fluxcd.io/name': 'shop-dev',
          'kustomize.toolkit.fluxcd.io/namespace': 'apps',
        },
        managedFields: [
          {
            manager: 'kustomize-controller',
            operation: 'Apply',
            time: '2026-01-01T00:00:00Z',
            fieldsV1: { 'f:spec': {} },
          },
          {
            manager: 'kubectl-set',
            operation: 'Update',
            time: '2026-01-02T00:00:00Z',
            fieldsV1: { 'f:spec': {} },
          },
        ],
      }),
    ]);
    try {
      await tracker.run();
      await tracker.run();
      const rows = await store.list({ limit: 10 });
      expect(rows).toEqual([
        expect.objectContaining({
          ...target,
          method: 'manual',
          triggeredBy: 'field manager kubectl-set',
          environment: 'development',
          entityRef: 'component:default/shop',
        }),
      ]);
      expect(rows[0].message).toContain('changed outside Git');
    } finally {
      watcher.stop();
    }
  });

  it('moves a portal deploy to succeeded once Flux applied its commit or a later one', async () => {
    const { client, watcher, store, tracker } = await setup([
      flux.kustomization('shop-dev', 'apps', {
        labels,
        source: 'shop-repo',
        revision: `main@sha1:${shas[0]}`,
      }),
      flux.gitRepository('shop-repo', 'apps', {
        url: repoUrl,
        revision: `main@sha1:${shas[0]}`,
      }),
    ]);
    try {
      const deploy = await store.insert({
        ...target,
        entityRef: 'component:default/shop',
        environment: 'development',
        method: 'gitops-ui',
        status: 'pending',
        commitSha: shas[0],
        triggeredBy: 'user:default/owner',
      });
      // The gitops-git row of the applied revision is ours: not recorded twice.
      await tracker.run();
      expect(await store.get(deploy!.id)).toMatchObject({
        status: 'succeeded',
        reason: 'ReconciliationSucceeded',
      });
      expect(await store.list({ limit: 10 })).toHaveLength(1);

      const older = await store.insert({
        ...target,
        environment: 'development',
        method: 'gitops-ui',
        status: 'pending',
        commitSha: shas[0].replace(/^./, c => (c === 'a' ? 'b' : 'a')),
        triggeredBy: 'user:default/owner',
      });
      client.emit(
        'MODIFIED',
        flux.kustomization('shop-dev', 'apps', {
          labels,
          source: 'shop-repo',
          revision: `main@sha1:${shas[1]}`,
        }),
        'kustomizations',
      );
      await tracker.run();
      // A commit that is not an ancestor of what was applied stays open.
      expect((await store.get(older!.id))?.status).toBe('pending');
    } finally {
      watcher.stop();
    }
  });

  it('does not wait behind deploys working on the repository, and asks again once it is free', async () => {
    const { watcher, store, tracker, workspace } = await setup([
      flux.kustomization('shop-dev', 'apps', {
        labels,
        source: 'shop-repo',
        revision: `main@sha1:${shas[1]}`,
      }),
      flux.gitRepository('shop-repo', 'apps', { url: repoUrl }),
    ]);
    let release = () => {};
    const held = new Promise<void>(resolve => (release = resolve));
    const busy = workspace.withRepo(repoUrl, undefined, () => held);
    try {
      const deploy = await store.insert({
        ...target,
        environment: 'development',
        method: 'gitops-ui',
        status: 'pending',
        commitSha: shas[0],
        triggeredBy: 'user:default/owner',
      });
      // Applied is a descendant: answering needs the clone, which is busy.
      await tracker.run();
      expect((await store.get(deploy!.id))?.status).toBe('pending');
      expect(await store.list({ method: 'gitops-git', limit: 10 })).toEqual([]);
      release();
      await busy;
      await tracker.run();
      expect((await store.get(deploy!.id))?.status).toBe('succeeded');
      expect(await store.list({ method: 'gitops-git', limit: 10 })).toEqual([
        expect.objectContaining({ commitMessage: 'commit two' }),
      ]);
    } finally {
      release();
      watcher.stop();
    }
  });

  it('fails a deploy Flux could not apply, and one it never got to in time', async () => {
    const { watcher, store, tracker } = await setup(
      [
        flux.kustomization('shop-dev', 'apps', {
          labels,
          source: 'shop-repo',
          ready: 'False',
          reason: 'BuildFailed',
          message: 'kustomize build failed',
          revision: `main@sha1:${shas[1]}`,
        }),
        flux.gitRepository('shop-repo', 'apps', { url: repoUrl }),
      ],
      60_000,
    );
    try {
      const failing = await store.insert({
        ...target,
        environment: 'development',
        method: 'gitops-ui',
        status: 'pending',
        commitSha: shas[1],
        triggeredBy: 'user:default/owner',
      });
      const stale = await store.insert({
        ...target,
        environment: 'development',
        method: 'gitops-ui',
        status: 'pending',
        commitSha: 'c'.repeat(40),
        triggeredBy: 'user:default/owner',
      });
      const knexNow = Date.now;
      jest.spyOn(Date, 'now').mockReturnValue(knexNow() + 120_000);
      await tracker.run();
      jest.restoreAllMocks();
      expect(await store.get(failing!.id)).toMatchObject({
        status: 'failed',
        reason: 'BuildFailed',
        message: 'kustomize build failed',
      });
      expect(await store.get(stale!.id)).toMatchObject({
        status: 'failed',
        reason: 'Timeout',
        message: 'Flux did not apply ccccccc within 1 minutes',
      });
    } finally {
      watcher.stop();
    }
  });

  it('settles the deploys of a replica that stopped in the middle of their push, and leaves a live one alone', async () => {
    const { watcher, store, tracker, db } = await setup([
      flux.kustomization('shop-dev', 'apps', {
        labels,
        source: 'shop-repo',
        revision: `main@sha1:${shas[0]}`,
      }),
      flux.gitRepository('shop-repo', 'apps', { url: repoUrl }),
    ]);
    const logger = mockServices.logger.mock();
    const later = (ms: number) => {
      const now = Date.now();
      jest.spyOn(Date, 'now').mockReturnValue(now + ms);
    };
    try {
      const live = new ReplicaHeartbeat(db, logger);
      const silent = new ReplicaHeartbeat(db, logger);
      await live.beat();
      await silent.beat();
      const pushing = (commitSha: string, pushingReplica: string) =>
        store.insert({
          ...target,
          environment: 'development',
          method: 'gitops-ui',
          status: 'pending',
          revision: `main@sha1:${commitSha}`,
          commitSha,
          triggeredBy: 'user:default/owner',
          pushingReplica,
        });
      // Its replica's row is gone, the commit never reached the branch.
      const lost = await pushing('d'.repeat(40), 'gone-replica');
      // The silent replica pushed it before it stopped beating.
      const landed = await pushing(shas[1], silent.id);
      // Still pushing on a replica that keeps beating.
      const inFlight = await pushing('e'.repeat(40), live.id);
      // This process's own push is never settled here.
      const own = await pushing('f'.repeat(40), 'tracker-replica');

      await tracker.run();
      expect(await store.get(lost!.id)).toMatchObject({
        status: 'failed',
        reason: 'PortalStopped',
        message:
          'the portal replica that committed ddddddd stopped before its push ended; nothing was pushed, deploy again',
      });
      // The silent one has not been silent long on this tracker's clock.
      const replicasOf = async () =>
        (await store.pushesInFlight()).map(p => p.deploy.id);
      expect(await replicasOf()).toEqual([landed!.id, inFlight!.id, own!.id]);

      later(31_000);
      await live.beat();
      await tracker.run();
      // Tracked as any pushed deploy: Flux has not applied it yet.
      expect(await store.get(landed!.id)).toMatchObject({ status: 'pending' });
      expect((await store.get(landed!.id))!.reason).toBeUndefined();
      expect(await replicasOf()).toEqual([inFlight!.id, own!.id]);

      // Once the live replica leaves, its deploy is settled at once.
      await live.stop({ unfinished: 0 });
      await tracker.run();
      expect(await store.get(inFlight!.id)).toMatchObject({
        status: 'failed',
        reason: 'PortalStopped',
      });
      expect(await replicasOf()).toEqual([own!.id]);
    } finally {
      jest.restoreAllMocks();
      watcher.stop();
    }
  });

  it('does not take a branch it could not fetch for a push that never happened', async () => {
    const { watcher, store, tracker } = await setup([
      flux.kustomization('shop-dev', 'apps', {
        labels,
        source: 'shop-repo',
        revision: `main@sha1:${shas[0]}`,
      }),
      flux.gitRepository('shop-repo', 'apps', {
        url: `file://${root}/moved-away.git`,
      }),
    ]);
    try {
      const deploy = await store.insert({
        ...target,
        environment: 'development',
        method: 'gitops-ui',
        status: 'pending',
        commitSha: shas[1],
        triggeredBy: 'user:default/owner',
        pushingReplica: 'gone-replica',
      });
      await tracker.run();
      expect(await store.get(deploy!.id)).toMatchObject({ status: 'pending' });
      expect((await store.pushesInFlight()).map(p => p.deploy.id)).toEqual([
        deploy!.id,
      ]);
    } finally {
      watcher.stop();
    }
  });

  it('keeps a deploy open while its environment waits for the one it depends on', async () => {
    const { watcher, store, tracker } = await setup([
      flux.kustomization('shop-dev', 'apps', {
        labels,
        source: 'shop-repo',
        ready: 'False',
        reason: 'DependencyNotReady',
        message: "dependency 'apps/shop-previous' is not ready",
        revision: `main@sha1:${shas[1]}`,
      }),
      flux.gitRepository('shop-repo', 'apps', { url: repoUrl }),
    ]);
    try {
      const deploy = await store.insert({
        ...target,
        environment: 'development',
        method: 'pipeline',
        status: 'pending',
        commitSha: shas[1],
        triggeredBy: 'user:default/owner',
      });
      await tracker.run();
      expect((await store.get(deploy!.id))?.status).toBe('progressing');
    } finally {
      watcher.stop();
    }
  });

  it('finishes a manual deploy when its rollout completes or is stuck', async () => {
    const { client, watcher, store, tracker } = await setup([
      flux.kustomization('shop-dev', 'apps', { labels }),
      flux.deployment('shop', 'apps', {
        generation: 2,
        status: { observedGeneration: 1 },
      }),
    ]);
    try {
      const manual = await store.insert({
        ...target,
        environment: 'development',
        method: 'manual',
        status: 'progressing',
        triggeredBy: 'user:default/owner',
        details: { deployment: 'shop', namespace: 'apps' },
      });
      await tracker.run();
      expect((await store.get(manual!.id))?.status).toBe('progressing');
      client.emit(
        'MODIFIED',
        flux.deployment('shop', 'apps', { generation: 2 }),
        'deployments',
      );
      await tracker.run();
      expect(await store.get(manual!.id)).toMatchObject({
        status: 'succeeded',
        reason: 'RolledOut',
      });
    } finally {
      watcher.stop();
    }
  });

  it('asks again whether a deploy is in what Flux applied when the applied commit could not be read yet', async () => {
    // Flux applied a commit the portal cannot fetch yet (a host that is
    // behind, a clone that was busy): no answer is remembered from that.
    const work = path.join(root, 'work');
    fs.writeFileSync(path.join(work, 'three'), 'three');
    git(work, 'add', '-A');
    git(work, 'commit', '-q', '-m', 'commit three');
    const later = git(work, 'rev-parse', 'HEAD');
    const { store, tracker, watcher } = await setup([
      flux.kustomization('shop-dev', 'apps', {
        labels,
        source: 'shop-repo',
        revision: `main@sha1:${later}`,
      }),
      flux.gitRepository('shop-repo', 'apps', {
        url: repoUrl,
        revision: `main@sha1:${later}`,
      }),
    ]);
    try {
      const deploy = await store.insert({
        ...target,
        entityRef: 'component:default/shop',
        environment: 'development',
        method: 'gitops-ui',
        status: 'pending',
        commitSha: shas[1],
        triggeredBy: 'user:default/owner',
      });
      await tracker.run();
      expect((await store.get(deploy!.id))?.status).not.toBe('succeeded');
      git(work, 'push', '-q', repoUrl.slice('file://'.length), 'HEAD:main');
      await tracker.run();
      expect((await store.get(deploy!.id))?.status).toBe('succeeded');
    } finally {
      watcher.stop();
    }
  });
});
