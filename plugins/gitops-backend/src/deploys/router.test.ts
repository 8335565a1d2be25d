import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import { FluxActions } from '../actions/FluxActions';
import { ClusterWatcher } from '../cluster/ClusterWatcher';
import { FluxStatusService } from '../status/FluxStatusService';
import {
  fakeClients,
  FakeClusterClient,
  flux,
  syncedWatcher,
} from '../__testUtils__/fakeCluster';
import {
  appWith,
  auditWith,
  fixtureDeps,
  ownerHeader,
  serviceHeader,
  strangerHeader,
  teamPipeline,
} from '../__testUtils__/routerFixture';
import { PipelineGrant } from '../entities/PipelineGrants';
import {
  git,
  integrationsForFileRepos,
  migratedDatabase,
} from '../__testUtils__/localStores';
import { DeployHistoryService } from './DeployHistoryService';
import { DeployStore } from './DeployStore';
import { GitChangeService } from './GitChangeService';
import { GitDeployService } from './GitDeployService';
import { GitWorkspace, LocalRepo } from './GitWorkspace';
import { ManualDeployService } from './ManualDeployService';
import { OverlayRepos } from './overlayRepo';
import { PipelineReportService } from './PipelineReportService';
import { PreviewService } from './PreviewService';
import { PUSH_WINDOW } from './pushWindow';
import { createDeployRouter } from './router';

const overlay = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../base
`;

const labels = {
  'backstage.io/kubernetes-id': 'shop',
  'gitops.backstage.io/environment': 'development',
};
const SHOP = 'component:default/shop';

/** The labels kustomize-controller sets on what a Kustomization applied. */
const appliedBy = (namespace: string, name: string) => ({
  'kustomize.toolkit.fluxcd.io/name': name,
  'kustomize.toolkit.fluxcd.io/namespace': namespace,
});

jest.setTimeout(30_000);

describe('the deploy routes', () => {
  let root: string;
  let origin: string;
  let client: FakeClusterClient;
  let watcher: ClusterWatcher;
  let store: DeployStore;
  let app: ReturnType<typeof appWith>;
  let repos: OverlayRepos;

  /** A push from a clone of someone else's. */
  function push(file: string, content: string): string {
    const dir = fs.mkdtempSync(path.join(root, 'clone-'));
    git(dir, 'clone', '-q', origin, '.');
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', `change ${file}`);
    git(dir, 'push', '-q', 'origin', 'HEAD:main');
    return git(dir, 'rev-parse', 'HEAD');
  }

  beforeEach(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-deploys-'));
    origin = path.join(root, 'origin.git');
    git(root, 'init', '-q', '--bare', '-b', 'main', origin);
    const seed = fs.mkdtempSync(path.join(root, 'seed-'));
    git(seed, 'init', '-q', '-b', 'main');
    fs.mkdirSync(path.join(seed, 'deploy/overlays/shop-dev'), {
      recursive: true,
    });
    fs.writeFileSync(
      path.join(seed, 'deploy/overlays/shop-dev/kustomization.yaml'),
      overlay,
    );
    git(seed, 'add', '-A');
    git(seed, 'commit', '-q', '-m', 'seed');
    git(seed, 'push', '-q', origin, 'HEAD:main');

    const repoUrl = `file://${origin}`;
    ({ client, watcher } = await syncedWatcher(
      new FakeClusterClient().add(
        flux.kustomization('shop-dev', 'apps', {
          labels,
          entityRef: SHOP,
          source: 'shop-repo',
          deployments: ['shop'],
          revision: `main@sha1:${'0'.repeat(40)}`,
        }),
        flux.gitRepository('shop-repo', 'apps', {
          url: repoUrl,
          entityRef: SHOP,
        }),
        flux.gitRepository('tagged', 'apps', {
          url: repoUrl,
          entityRef: SHOP,
        }),
        flux.kustomization('helm-only', 'apps', {
          labels: {
            'backstage.io/kubernetes-id': 'shop',
            'gitops.backstage.io/environment': 'staging',
          },
          entityRef: SHOP,
          source: 'tagged',
          deployments: ['a', 'b'],
        }),
        flux.deployment('shop', 'apps', {
          containers: [
            { name: 'sidecar', image: 'envoy:1' },
            { name: 'app', image: 'registry.example.com/shop:1.0.0' },
          ],
          labels: appliedBy('apps', 'shop-dev'),
        }),
      ),
    ));
    store = new DeployStore(await migratedDatabase());
    const status = new FluxStatusService([watcher]);
    const clients = fakeClients(client);
    const actions = new FluxActions(status, clients);
    // shop's catalog file lives in the repository it deploys from.
    const deps = fixtureDeps([watcher], undefined, repoUrl);
    // file:// has no integration; the Gitea one stands in for its credentials.
    const integrations = integrationsForFileRepos();
    repos = new OverlayRepos(
      new GitWorkspace(
        path.join(root, 'ws'),
        {
          name: 'Backstage GitOps',
          email: 'gitops@example.com',
        },
        // The test's repositories are local bare ones.
        { protocols: ['file'] },
      ),
      integrations,
    );
    const previews = new PreviewService({ clients, repos });
    const history = new DeployHistoryService(store);
    app = appWith(
      createDeployRouter({
        scopes: deps.scopes,
        history,
        previews,
        gitChanges: new GitChangeService({ repos, history }),
        gitDeploys: new GitDeployService({
          catalog: deps.catalog,
          actions,
          store,
          repos,
          previews,
          replicaId: 'this-replica',
        }),
        manualDeploys: new ManualDeployService({
          clients,
          store,
          deployKeyHosts: [],
        }),
        pipelineReports: new PipelineReportService({ actions, store, repos }),
        audit: auditWith(clients).audit,
      }),
    );
  });

  afterEach(() => {
    watcher.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const base = '/entities/component/default/shop/deploys';
  /** A manual deploy as the entity's owner. */
  const manualDeploy = (body: object) =>
    request(app)
      .post(`${base}/manual`)
      .set('Authorization', ownerHeader)
      .send(body);
  const changes = { image: 'registry.example.com/shop:2.0.0', replicas: 2 };

  it('previews a change as a diff of the overlay, touching nothing', async () => {
    const res = await request(app)
      .post(`${base}/preview`)
      .set('Authorization', ownerHeader)
      .send({ environment: 'development', changes });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      environment: 'development',
      branch: 'main',
      overlayPath: 'deploy/overlays/shop-dev',
      target: { deployment: 'shop', container: 'app' },
      empty: false,
    });
    expect(res.body.diff).toContain('+  - path: gitops-deploy-patch.yaml');
    expect(res.body.diff).toContain('image: registry.example.com/shop:2.0.0');
    expect(git(origin, 'rev-list', '--count', 'main')).toBe('1');
  });

  it('shows what the next sync applies: the commits and diff of the overlay and its bases', async () => {
    const seed = git(origin, 'rev-parse', 'main');
    push('deploy/base/app.yaml', 'replicas: 2\n');
    push('docs/notes.md', 'elsewhere\n');
    const head = push('deploy/overlays/shop-dev/extra.yaml', 'a: 1\n');
    const revisions = async (applied: string, fetched: string) => {
      await client.mergePatch(
        {
          apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
          kind: 'Kustomization',
          namespace: 'apps',
          name: 'shop-dev',
        },
        { status: { lastAppliedRevision: `main@sha1:${applied}` } },
      );
      await client.mergePatch(
        {
          apiVersion: 'source.toolkit.fluxcd.io/v1',
          kind: 'GitRepository',
          namespace: 'apps',
          name: 'shop-repo',
        },
        { status: { artifact: { revision: `main@sha1:${fetched}` } } },
      );
    };
    await revisions(seed, head);
    const pending = `/entities/component/default/shop/environments/development/pending`;
    const res = await request(app)
      .get(pending)
      .set('Authorization', ownerHeader);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      environment: 'development',
      pending: true,
      suspended: false,
      appliedCommit: seed,
      sourceCommit: head,
      paths: ['deploy/overlays/shop-dev', 'deploy/base'],
      commitsBetween: 3,
      files: [
        { path: 'deploy/base/app.yaml', status: 'added' },
        { path: 'deploy/overlays/shop-dev/extra.yaml', status: 'added' },
      ],
      truncated: false,
    });
    expect(res.body.commits.map((c: any) => c.subject)).toEqual([
      'change deploy/base/app.yaml',
      'change deploy/overlays/shop-dev/extra.yaml',
    ]);
    expect(res.body.diff).toContain('+replicas: 2');
    expect(res.body.diff).not.toContain('docs/notes.md');

    for (const [header, status] of [
      [strangerHeader, 403],
      [serviceHeader, 403],
    ] as const) {
      expect(
        (await request(app).get(pending).set('Authorization', header)).status,
      ).toBe(status);
    }
    expect((await request(app).get(pending)).status).toBe(401);
    const unknown = await request(app)
      .get(pending.replace('development', 'nowhere'))
      .set('Authorization', ownerHeader);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/^environment: /);

    // An applied commit the branch no longer has (force-pushed away): 409.
    await revisions('f'.repeat(40), head);
    const gone = await request(app)
      .get(pending)
      .set('Authorization', ownerHeader);
    expect(gone.status).toBe(409);
    expect(gone.body.error.message).toMatch(
      /^commit ffffffffffff is not on main/,
    );

    await revisions(head, head);
    const none = await request(app)
      .get(pending)
      .set('Authorization', ownerHeader);
    expect(none.body).toMatchObject({ pending: false, commits: [], diff: '' });
  });

  it('shows what a deploy changed: against the previous deploy, another row, or its parent', async () => {
    const seed = git(origin, 'rev-parse', 'main');
    const first = push('deploy/base/app.yaml', 'replicas: 2\n');
    push('docs/notes.md', 'elsewhere\n');
    const second = push('deploy/overlays/shop-dev/extra.yaml', 'a: 1\n');
    const row = (commitSha: string | undefined, extra: object = {}) =>
      store.insert({
        cluster: 'local',
        namespace: 'apps',
        kustomization: 'shop-dev',
        entityRef: SHOP,
        environment: 'development',
        method: commitSha ? 'gitops-ui' : 'manual',
        status: 'succeeded',
        triggeredBy: 'user:default/owner',
        commitSha,
        ...extra,
      });
    const one = (await row(first))!;
    const manual = (await row(undefined))!;
    await row(seed, { status: 'failed' });
    // Between the two: a row of another environment's Kustomization, which
    // the previous-deploy lookup must pass over.
    const elsewhere = (await row(seed, {
      environment: 'staging',
      kustomization: 'shop-staging',
    }))!;
    const two = (await row(second))!;
    const changesOf = (id: number, query = '') =>
      request(app)
        .get(`${base}/${id}/changes${query}`)
        .set('Authorization', ownerHeader);

    // Against the previous deploy that made a commit and succeeded.
    const latest = await changesOf(two.id);
    expect(latest.status).toBe(200);
    expect(latest.body).toMatchObject({
      environment: 'development',
      deployId: two.id,
      sinceDeployId: one.id,
      fromCommit: first,
      toCommit: second,
      commitsBetween: 2,
      files: [{ path: 'deploy/overlays/shop-dev/extra.yaml', status: 'added' }],
    });
    expect(latest.body.commits.map((c: any) => c.sha)).toEqual([second]);
    expect(latest.body.diff).toContain('+a: 1');
    expect(latest.body.diff).not.toContain('docs/notes.md');

    // No deploy before it: against its commit's parent.
    const oldest = await changesOf(one.id);
    expect(oldest.body).toMatchObject({ fromCommit: seed, toCommit: first });
    expect(oldest.body.sinceDeployId).toBeUndefined();
    expect(oldest.body.diff).toContain('+replicas: 2');

    // Any two rows, the older one as the base whichever is named first.
    const between = await changesOf(one.id, `?since=${two.id}`);
    expect(between.body).toMatchObject({
      fromCommit: first,
      toCommit: second,
      sinceDeployId: two.id,
    });

    const refused = async (query: string, id = two.id) => {
      const res = await changesOf(id, query);
      expect(res.status).toBe(400);
      return res.body.error.message as string;
    };
    expect(await refused(`?since=${manual.id}`)).toMatch(
      /^since: deploy \d+ made no commit/,
    );
    expect(await refused('', manual.id)).toMatch(
      /^id: deploy \d+ made no commit/,
    );
    expect(await refused('?since=abc')).toMatch(/since/);
    expect(await refused('?since=0')).toMatch(/since/);
    expect(await refused('?until=1')).toMatch(/until/);
    expect(await refused('?since=999999')).toMatch(/^since: deploy 999999 of/);
    expect(await refused(`?since=${elsewhere.id}`)).toMatch(
      /^since: .* compare deploys of one environment/,
    );

    const foreign = await store.insert({
      cluster: 'local',
      namespace: 'apps',
      kustomization: 'elsewhere',
      entityRef: 'component:default/other',
      environment: 'development',
      method: 'gitops-ui',
      status: 'succeeded',
      triggeredBy: 'x',
      commitSha: second,
    });
    expect((await changesOf(foreign!.id)).status).toBe(404);
    expect(await refused(`?since=${foreign!.id}`)).toMatch(
      /^since: deploy \d+ of component:default\/shop not found/,
    );

    // The repository's first commit: compared with nothing, every file added.
    // (The seed; its row through shop-dev is taken: another cluster's.)
    const rootCommit = git(origin, 'rev-list', '--max-parents=0', 'main');
    expect(rootCommit).toBe(seed);
    const firstRow = await store.insert({
      cluster: 'other-cluster',
      namespace: 'apps',
      kustomization: 'shop-dev',
      entityRef: SHOP,
      environment: 'development',
      method: 'gitops-git',
      status: 'succeeded',
      triggeredBy: 'x',
      commitSha: rootCommit,
    });
    const rootChange = await changesOf(firstRow!.id);
    expect(rootChange.status).toBe(200);
    expect(rootChange.body.fromCommit).toBeUndefined();
    expect(rootChange.body.commits.map((c: any) => c.sha)).toEqual([rootCommit]);
    expect(rootChange.body.files.length).toBeGreaterThan(0);
    expect(rootChange.body.files.every((f: any) => f.status === 'added')).toBe(
      true,
    );

    // A commit the branch no longer has: 409, whichever clone still holds it.
    const gone = (await row('f'.repeat(40)))!;
    const goneChange = await changesOf(gone.id);
    expect(goneChange.status).toBe(409);
    expect(goneChange.body.error.message).toMatch(
      /^commit ffffffffffff is not on main/,
    );
    for (const [header, status] of [
      [strangerHeader, 403],
      [serviceHeader, 403],
    ] as const) {
      const res = await request(app)
        .get(`${base}/${two.id}/changes`)
        .set('Authorization', header);
      expect(res.status).toBe(status);
    }
    expect((await request(app).get(`${base}/${two.id}/changes`)).status).toBe(
      401,
    );
  });

  it('refuses to edit overlay files larger than it parses, naming the file, and to write one', async () => {
    const kustomization = 'deploy/overlays/shop-dev/kustomization.yaml';
    const large = await request(app)
      .post(base)
      .set('Authorization', ownerHeader)
      .send({
        environment: 'development',
        changes: { env: { LARGE: 'x'.repeat(20_000) } },
        message: 'too large',
      });
    expect(large.status).toBe(400);
    expect(large.body.error.message).toMatch(
      /^changes: deploy\/overlays\/shop-dev\/gitops-deploy-patch.yaml would be \d+ bytes; the portal writes overlay files of at most 16384 bytes/,
    );
    push(kustomization, `resources: []\n${'#'.repeat(100)}\n`.repeat(200));
    const preview = await request(app)
      .post(`${base}/preview`)
      .set('Authorization', ownerHeader)
      .send({ environment: 'development', changes });
    expect(preview.status).toBe(400);
    expect(preview.body.error.message).toMatch(
      /^overlay: deploy\/overlays\/shop-dev\/kustomization.yaml is \d+ bytes; the portal edits overlay files of at most 16384 bytes/,
    );
    expect(git(origin, 'log', '--format=%s', 'main')).toBe(
      'change deploy/overlays/shop-dev/kustomization.yaml\nseed',
    );
  });

  it('reads and commits only in the repository the entity was registered from, whoever the URL names as its writer', async () => {
    // Another team's repository, with an overlay at the same path.
    const victim = path.join(root, 'victim.git');
    git(root, 'clone', '-q', '--bare', origin, victim);
    const repo = client.get('GitRepository', 'apps', 'shop-repo');
    // The field manager is a name any client may give itself.
    repo.spec.url = `file://${victim}`;
    client.emit('MODIFIED', repo, 'gitrepositories');
    for (const [route, body] of [
      [`${base}/preview`, { environment: 'development', changes }],
      [base, { environment: 'development', changes, message: 'm' }],
      // A manual deploy touches no repository, but only an environment
      // deployed from the entity's own is the entity's to change.
      [`${base}/manual`, { environment: 'development', image: 'a:1' }],
    ] as const) {
      const refused = await request(app)
        .post(route)
        .set('Authorization', ownerHeader)
        .send(body);
      expect({ route, status: refused.status }).toEqual({ route, status: 403 });
      expect(refused.body.error.message).toContain(
        `is not the repository the entity was registered from (file:${origin.replace(
          /\.git$/,
          '',
        )})`,
      );
    }
    expect(git(victim, 'rev-list', '--count', 'main')).toBe('1');
    expect(await store.list({ limit: 10 })).toEqual([]);
    expect(client.callsOf('serverSideApply')).toEqual([]);
  });

  it('commits as the user, records the deploy first and asks Flux to reconcile', async () => {
    const preview = await request(app)
      .post(`${base}/preview`)
      .set('Authorization', ownerHeader)
      .send({ environment: 'development', changes });
    const res = await request(app)
      .post(base)
      .set('Authorization', ownerHeader)
      .send({
        environment: 'development',
        changes,
        message: 'Ship 2.0.0',
        expectedOverlayDigest: preview.body.overlayDigest,
      });
    expect(res.status).toBe(201);
    const sha = git(origin, 'rev-parse', 'main');
    expect(res.body).toMatchObject({
      pushAttempts: 1,
      deploy: {
        method: 'gitops-ui',
        status: 'pending',
        commitSha: sha,
        revision: `main@sha1:${sha}`,
        triggeredBy: 'user:default/owner',
        commitAuthor: 'Olive Owner',
        entityRef: 'component:default/shop',
      },
    });
    expect(git(origin, 'log', '-1', '--format=%an <%ae>|%s', 'main')).toBe(
      'Olive Owner <olive@example.com>|Ship 2.0.0',
    );
    // Pushed: no longer marked as this replica's push (no replica is alive
    // in this database, so a marked row would be listed).
    expect(await store.pushesInFlight()).toEqual([]);
    expect(
      client.callsOf('mergePatch').map(([address]) => address.kind),
    ).toEqual(['GitRepository', 'Kustomization']);
    expect(client.callsOf('createEvent').map(([e]) => e)).toEqual([
      expect.objectContaining({
        involvedObject: expect.objectContaining({
          kind: 'Kustomization',
          namespace: 'apps',
          name: 'shop-dev',
        }),
        reason: 'GitOpsPortalDeploy',
        message: 'deploy by user:default/owner: Ship 2.0.0',
        reportingComponent: 'backstage-gitops',
      }),
    ]);

    const history = await request(app)
      .get(`${base}?environment=development`)
      .set('Authorization', ownerHeader);
    expect(history.body.items.map((d: any) => d.commitSha)).toEqual([sha]);
    const one = await request(app)
      .get(`${base}/${res.body.deploy.id}`)
      .set('Authorization', ownerHeader);
    expect(one.body.commitSha).toBe(sha);

    // The same values again: nothing to deploy.
    const again = await request(app)
      .post(base)
      .set('Authorization', ownerHeader)
      .send({ environment: 'development', changes, message: 'again' });
    expect(again.status).toBe(400);
    expect(again.body.error.message).toContain('nothing to deploy');
  });

  it('refuses a deploy whose overlay changed since the preview', async () => {
    const preview = await request(app)
      .post(`${base}/preview`)
      .set('Authorization', ownerHeader)
      .send({ environment: 'development', changes });
    push('deploy/overlays/shop-dev/extra.yaml', 'x: 1\n');
    const res = await request(app)
      .post(base)
      .set('Authorization', ownerHeader)
      .send({
        environment: 'development',
        changes,
        message: 'late',
        expectedOverlayDigest: preview.body.overlayDigest,
      });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toContain('changed since your preview');
    expect(await store.list({ limit: 10 })).toEqual([]);
  });

  describe('deploys that wait for the repository', () => {
    /**
     * Holds the repository while `send` fires the deploys, and lets it go
     * once every one of them is waiting for it.
     */
    async function whileBusy<T>(count: number, send: () => Promise<T>) {
      let release: (() => void) | undefined;
      const held = repos.withRepo(
        { repoUrl: `file://${origin}`, registeredRepository: null },
        () => new Promise<void>(resolve => (release = resolve)),
      );
      // Held once the clone is open: on busy cores that takes a while.
      while (!release) {
        await new Promise(resolve => setTimeout(resolve, 10));
      }
      const deploys = jest.spyOn(GitDeployService.prototype, 'deploy');
      const sent = send();
      while (deploys.mock.calls.length < count) {
        await new Promise(resolve => setTimeout(resolve, 10));
      }
      // The fake catalog answers who asked within a few ticks; busy
      // cores stretch ticks.
      await new Promise(resolve => setTimeout(resolve, 500));
      deploys.mockRestore();
      release();
      await held;
      return sent;
    }
    const deployImage = (tag: string, extra: object = {}) =>
      request(app)
        .post(base)
        .set('Authorization', ownerHeader)
        .send({
          environment: 'development',
          changes: { image: `registry.example.com/shop:${tag}` },
          message: `Ship ${tag}`,
          ...extra,
        });
    const commitsOnMain = () =>
      git(origin, 'log', '--reverse', '--format=%H %s', 'main')
        .split('\n')
        .map(line => [line.slice(0, 40), line.slice(41)]);

    const pushToOrigin = LocalRepo.prototype.push;
    let pushes: jest.SpyInstance;
    beforeEach(() => {
      pushes = jest.spyOn(LocalRepo.prototype, 'push');
    });
    afterEach(() => pushes.mockRestore());

    it('go out in one push, each its own commit and row', async () => {
      const tags = ['2.0.1', '2.0.2', '2.0.3', '2.0.4', '2.0.5'];
      const results = await whileBusy(tags.length, () =>
        Promise.all(tags.map(tag => deployImage(tag))),
      );
      expect(results.map(r => r.status)).toEqual(tags.map(() => 201));
      expect(pushes).toHaveBeenCalledTimes(1);
      const commits = commitsOnMain().slice(1);
      expect(commits.map(([, subject]) => subject)).toEqual(
        tags.map(tag => `Ship ${tag}`),
      );
      expect(results.map(r => r.body.deploy.commitSha)).toEqual(
        commits.map(([sha]) => sha),
      );
      expect(new Set(results.map(r => r.body.deploy.id)).size).toBe(5);
      const rows = await store.list({ limit: 10 });
      expect(rows.map(row => row.commitSha).sort()).toEqual(
        commits.map(([sha]) => sha).sort(),
      );
      expect(await store.pushesInFlight()).toEqual([]);
      // Each commit carries its own image.
      for (const [n, [sha]] of commits.entries()) {
        expect(
          git(
            origin,
            'show',
            `${sha}:deploy/overlays/shop-dev/gitops-deploy-patch.yaml`,
          ),
        ).toContain(`shop:${tags[n]}`);
      }
    });

    it('refuse the one with nothing to deploy and push the others', async () => {
      const [first, same, last] = await whileBusy(3, () =>
        Promise.all([
          deployImage('2.0.1'),
          deployImage('2.0.1', { message: 'again' }),
          deployImage('2.0.3'),
        ]),
      );
      expect([first.status, same.status, last.status]).toEqual([201, 400, 201]);
      expect(same.body.error.message).toContain('nothing to deploy');
      expect(git(origin, 'log', '--reverse', '--format=%s', 'main')).toBe(
        'seed\nShip 2.0.1\nShip 2.0.3',
      );
      expect((await store.list({ limit: 10 })).length).toBe(2);
    });

    it('are rebased over a push that came first, their rows following', async () => {
      const outside = jest.fn();
      pushes.mockImplementationOnce(async function push2(
        this: LocalRepo,
        branch: string,
      ) {
        outside(push('README.md', 'someone else\n'));
        pushes.mockRestore();
        return this.push(branch);
      });
      const results = await whileBusy(2, () =>
        Promise.all([deployImage('2.0.1'), deployImage('2.0.2')]),
      );
      expect(results.map(r => [r.status, r.body.pushAttempts])).toEqual([
        [201, 2],
        [201, 2],
      ]);
      const commits = commitsOnMain();
      expect(commits.map(([, subject]) => subject)).toEqual([
        'seed',
        'change README.md',
        'Ship 2.0.1',
        'Ship 2.0.2',
      ]);
      expect(commits[1][0]).toBe(outside.mock.calls[0][0]);
      expect(results.map(r => r.body.deploy.commitSha)).toEqual([
        commits[2][0],
        commits[3][0],
      ]);
      const rows = await store.list({ limit: 10 });
      expect(rows.map(row => row.commitSha).sort()).toEqual(
        [commits[2][0], commits[3][0]].sort(),
      );
    });

    /** Someone else pushes just before each of our next `times` pushes. */
    function branchMovesBeforePushes(times: number) {
      let moved = 0;
      pushes.mockImplementation(async function pushAfterOutside(
        this: LocalRepo,
        branch: string,
      ) {
        if (moved < times) {
          moved++;
          push(`notes/outside-${moved}.txt`, `${moved}\n`);
        }
        return pushToOrigin.call(this, branch);
      });
    }

    it('keep pushing through a burst of outside pushes longer than five attempts', async () => {
      branchMovesBeforePushes(7);
      const results = await whileBusy(2, () =>
        Promise.all([deployImage('2.0.1'), deployImage('2.0.2')]),
      );
      expect(results.map(r => [r.status, r.body.pushAttempts])).toEqual([
        [201, 8],
        [201, 8],
      ]);
      const subjects = commitsOnMain().map(([, subject]) => subject);
      expect(subjects.slice(-2)).toEqual(['Ship 2.0.1', 'Ship 2.0.2']);
      expect(subjects.filter(s => s.startsWith('change notes/'))).toHaveLength(
        7,
      );
      expect((await store.list({ limit: 10 })).length).toBe(2);
    }, 90_000);

    it('give up once the push window is over, leaving no row behind', async () => {
      const window = { ...PUSH_WINDOW };
      PUSH_WINDOW.ms = 0;
      try {
        branchMovesBeforePushes(100);
        const results = await whileBusy(2, () =>
          Promise.all([deployImage('2.0.1'), deployImage('2.0.2')]),
        );
        expect(results.map(r => r.status)).toEqual([409, 409]);
        expect(results[0].body.error.message).toBe(
          'main kept moving during 5 push attempts; nothing was pushed, try again',
        );
      } finally {
        Object.assign(PUSH_WINDOW, window);
      }
      expect(
        commitsOnMain().filter(([, subject]) => subject.startsWith('Ship')),
      ).toEqual([]);
      expect(await store.list({ limit: 10 })).toEqual([]);
    });

    it('refuse one whose previewed overlay someone changed and redo the others on the new head', async () => {
      const preview = await request(app)
        .post(`${base}/preview`)
        .set('Authorization', ownerHeader)
        .send({
          environment: 'development',
          changes: { image: 'registry.example.com/shop:2.0.1' },
        });
      pushes.mockImplementationOnce(async function push2(
        this: LocalRepo,
        branch: string,
      ) {
        push('deploy/overlays/shop-dev/extra.yaml', 'x: 1\n');
        pushes.mockRestore();
        return this.push(branch);
      });
      const [pinned, free] = await whileBusy(2, () =>
        Promise.all([
          deployImage('2.0.1', {
            expectedOverlayDigest: preview.body.overlayDigest,
          }),
          deployImage('2.0.2'),
        ]),
      );
      expect(pinned.status).toBe(409);
      expect(pinned.body.error.message).toContain('changed on main');
      expect([free.status, free.body.pushAttempts]).toEqual([201, 2]);
      expect(git(origin, 'log', '--reverse', '--format=%s', 'main')).toBe(
        'seed\nchange deploy/overlays/shop-dev/extra.yaml\nShip 2.0.2',
      );
      const rows = await store.list({ limit: 10 });
      expect(rows.map(row => row.commitSha)).toEqual([
        git(origin, 'rev-parse', 'main'),
      ]);
    });
  });

  it('rolls back to a past deploy, first as a dry run', async () => {
    const first = await request(app)
      .post(base)
      .set('Authorization', ownerHeader)
      .send({ environment: 'development', changes, message: 'v2' });
    await request(app)
      .post(base)
      .set('Authorization', ownerHeader)
      .send({
        environment: 'development',
        changes: { replicas: 5 },
        message: 'five',
      });
    const id = first.body.deploy.id;
    const dry = await request(app)
      .post(`${base}/${id}/rollback`)
      .set('Authorization', ownerHeader)
      .send({ dryRun: true });
    expect(dry.status).toBe(200);
    expect(dry.body.diff).toContain('-  replicas: 5');
    const reasons = () => client.callsOf('createEvent').map(([e]) => e.reason);
    // A dry run changes nothing: no event.
    expect(reasons()).toEqual(['GitOpsPortalDeploy', 'GitOpsPortalDeploy']);
    const res = await request(app)
      .post(`${base}/${id}/rollback`)
      .set('Authorization', ownerHeader)
      .send({});
    expect(res.status).toBe(201);
    expect(res.body.deploy).toMatchObject({ rollbackOf: id });
    expect(client.callsOf('createEvent').at(-1)?.[0]).toMatchObject({
      reason: 'GitOpsPortalRollback',
      message: `rollback by user:default/owner: to deploy ${id}`,
    });
    expect(git(origin, 'log', '-1', '--format=%s', 'main')).toMatch(
      /^Roll back development to [0-9a-f]{7} \(deploy #\d+\)$/,
    );
    const nothing = await request(app)
      .post(`${base}/${id}/rollback`)
      .set('Authorization', ownerHeader)
      .send({});
    expect(nothing.status).toBe(400);
  });

  it('sets an image in the cluster by server-side apply and warns Flux reverts it', async () => {
    const res = await manualDeploy({
      environment: 'development',
      image: 'registry.example.com/shop:hotfix',
      container: 'app',
      reason: 'hotfix',
    });
    expect(res.status).toBe(201);
    expect(
      client
        .callsOf('createEvent')
        .map(([e]) => [e.involvedObject.kind, e.reason, e.message]),
    ).toEqual([
      [
        'Kustomization',
        'GitOpsPortalManualDeploy',
        'manual-deploy by user:default/owner: hotfix',
      ],
      [
        'Deployment',
        'GitOpsPortalManualDeploy',
        'manual-deploy by user:default/owner: hotfix',
      ],
    ]);
    expect(res.body.deploy).toMatchObject({
      method: 'manual',
      status: 'progressing',
      triggeredBy: 'user:default/owner',
      details: {
        deployment: 'shop',
        container: 'app',
        previousImage: 'registry.example.com/shop:1.0.0',
      },
    });
    expect(res.body.warning).toContain('Flux reverts this image');
    const [[object, manager, force]] = client.callsOf('serverSideApply');
    expect(object.spec.template.spec.containers).toEqual([
      { name: 'app', image: 'registry.example.com/shop:hotfix' },
    ]);
    expect([manager, force]).toEqual(['backstage-gitops-manual', true]);
    // Rolling back a manual deploy has no commit to restore.
    const rollback = await request(app)
      .post(`${base}/${res.body.deploy.id}/rollback`)
      .set('Authorization', ownerHeader)
      .send({});
    expect(rollback.status).toBe(400);
    expect(rollback.body.error.message).toContain('without a commit');
  });

  it('names what is wrong with a manual deploy', async () => {
    const container = await manualDeploy({
      environment: 'development',
      image: 'a:1',
      container: 'nope',
    });
    expect(container.status).toBe(400);
    expect(container.body.error.message).toContain(
      "has no container 'nope' (it has sidecar, app)",
    );
    const several = await manualDeploy({
      environment: 'staging',
      image: 'a:1',
    });
    expect(several.status).toBe(400);
    expect(several.body.error.message).toContain('has 2 Deployments');
    const unknown = await manualDeploy({ environment: 'qa', image: 'a:1' });
    expect(unknown.body.error.message).toContain(
      "has no environment 'qa' (it has development, staging)",
    );
    const image = await manualDeploy({
      environment: 'development',
      image: 'UPPER CASE',
    });
    expect(image.status).toBe(400);
    expect(image.body.error.message).toContain('image');
    client.failNext('serverSideApply', new Error('webhook denied'));
    const failed = await manualDeploy({
      environment: 'development',
      image: 'a:1',
    });
    expect(failed.status).toBe(500);
    expect(failed.body.error.message).toBe(
      'applying the image to Deployment apps/shop: webhook denied',
    );
    expect(await store.list({ limit: 10 })).toEqual([]);
  });

  it('refuses a manual deploy to a Deployment the environment did not apply, though its inventory lists it', async () => {
    const deployment = client.get('Deployment', 'apps', 'shop');
    for (const fluxLabels of [
      {},
      appliedBy('apps', 'other'),
      appliedBy('elsewhere', 'shop-dev'),
    ]) {
      client.add({
        ...deployment,
        metadata: { ...deployment.metadata, labels: fluxLabels },
      });
      const refused = await manualDeploy({
        environment: 'development',
        image: 'a:1',
      });
      expect(refused.status).toBe(403);
      expect(refused.body.error.message).toContain(
        'was not applied by Kustomization apps/shop-dev',
      );
    }
    expect(client.callsOf('serverSideApply')).toEqual([]);
    expect(client.callsOf('createEvent')).toEqual([]);
    expect(await store.list({ limit: 10 })).toEqual([]);
  });

  it('refuses other teams, service tokens, missing tokens and bad bodies before doing anything', async () => {
    for (const [route, body] of [
      [`${base}/preview`, { environment: 'development', changes }],
      [base, { environment: 'development', changes, message: 'm' }],
      [`${base}/manual`, { environment: 'development', image: 'a:1' }],
      [`${base}/1/rollback`, {}],
    ] as const) {
      const stranger = await request(app)
        .post(route)
        .set('Authorization', strangerHeader)
        .send(body);
      expect(stranger.status).toBe(403);
      const service = await request(app)
        .post(route)
        .set('Authorization', serviceHeader)
        .send(body);
      expect(service.status).toBe(403);
      expect((await request(app).post(route).send(body)).status).toBe(401);
    }
    for (const route of [base, `${base}/1`]) {
      const service = await request(app)
        .get(route)
        .set('Authorization', serviceHeader);
      expect(service.status).toBe(403);
      expect((await request(app).get(route)).status).toBe(401);
    }
    const badPreview = await request(app)
      .post(`${base}/preview`)
      .set('Authorization', ownerHeader)
      .send({ environment: 7, changes });
    expect(badPreview.status).toBe(400);
    expect(badPreview.body.error.message).toContain('environment');
    const bad = await request(app)
      .post(base)
      .set('Authorization', ownerHeader)
      .send({ environment: 'development', changes: {}, message: '' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('message');
    const query = await request(app)
      .get(`${base}?method=teleport`)
      .set('Authorization', ownerHeader);
    expect(query.status).toBe(400);
    for (const limit of ['limit[]=5', 'limit=abc', 'limit=0', 'limit=501']) {
      const response = await request(app)
        .get(`${base}?${limit}`)
        .set('Authorization', ownerHeader);
      expect({ limit, status: response.status }).toEqual({
        limit,
        status: 400,
      });
      expect(response.body.error.message).toContain('limit: ');
    }
    expect(git(origin, 'rev-list', '--count', 'main')).toBe('1');
    expect(client.callsOf('serverSideApply')).toEqual([]);
    expect(client.callsOf('createEvent')).toEqual([]);
  });

  it('hides deploys of other entities', async () => {
    const other = await store.insert({
      cluster: 'local',
      namespace: 'apps',
      kustomization: 'elsewhere',
      entityRef: 'component:default/other',
      environment: 'development',
      method: 'manual',
      status: 'succeeded',
      triggeredBy: 'x',
    });
    const res = await request(app)
      .get(`${base}/${other!.id}`)
      .set('Authorization', ownerHeader);
    expect(res.status).toBe(404);
  });

  // PostgreSQL refuses integers past 2^31 - 1 with an error (a 500); SQLite
  // took them. No deploy has such an id: a 400 naming it, before any query.
  it('refuses deploy ids no history row can have, naming the id', async () => {
    for (const id of [
      '0',
      '2147483648',
      '4294967296',
      '99999999999999999999',
    ]) {
      const read = await request(app)
        .get(`${base}/${id}`)
        .set('Authorization', ownerHeader);
      expect({ id, status: read.status }).toEqual({ id, status: 400 });
      expect(read.body.error.message).toContain('id:');
      const rollback = await request(app)
        .post(`${base}/${id}/rollback`)
        .set('Authorization', ownerHeader)
        .send({});
      expect({ id, status: rollback.status }).toEqual({ id, status: 400 });
    }
  });

  it('records a pipeline deploy reported with a service token', async () => {
    const sha = push('deploy/overlays/shop-dev/app.txt', 'v3\n');
    const body = {
      entityRef: 'Component:default/shop',
      environment: 'development',
      revision: sha,
      pipeline: 'release',
      pipelineUrl: 'https://ci.example.com/runs/1',
    };
    const user = await request(app)
      .post('/deploys/pipeline')
      .set('Authorization', ownerHeader)
      .send(body);
    expect(user.status).toBe(403);
    const res = await request(app)
      .post('/deploys/pipeline')
      .set('Authorization', serviceHeader)
      .send(body);
    expect(res.status).toBe(201);
    expect(res.body.deploy).toMatchObject({
      method: 'pipeline',
      status: 'pending',
      triggeredBy: 'pipeline:release',
      entityRef: 'component:default/shop',
      commitSha: sha,
      commitMessage: 'change deploy/overlays/shop-dev/app.txt',
    });
    // The Kustomization it asked to apply says which pipeline reported.
    expect(
      client
        .callsOf('createEvent')
        .map(([e]) => [e.involvedObject.kind, e.reason, e.message]),
    ).toEqual([
      [
        'Kustomization',
        'GitOpsPortalPipelineDeploy',
        `pipeline-deploy by service:${
          mockCredentials.service().principal.subject
        }: commit ${sha.slice(0, 12)} from pipeline release`,
      ],
    ]);
    // Reported twice: the same row.
    const again = await request(app)
      .post('/deploys/pipeline')
      .set('Authorization', serviceHeader)
      .send(body);
    expect(again.body.deploy.id).toBe(res.body.deploy.id);

    // Without a pipeline name, the token's subject says who reported.
    const unnamed = await request(app)
      .post('/deploys/pipeline')
      .set('Authorization', serviceHeader)
      .send({
        ...body,
        pipeline: undefined,
        revision: push('deploy/overlays/shop-dev/app.txt', 'v4\n'),
      });
    expect(unnamed.body.deploy.triggeredBy).toBe(
      `pipeline:${mockCredentials.service().principal.subject}`,
    );

    const unknown = await request(app)
      .post('/deploys/pipeline')
      .set('Authorization', serviceHeader)
      .send({ ...body, entityRef: 'component:default/nope' });
    expect(unknown.status).toBe(404);
    const notOnBranch = await request(app)
      .post('/deploys/pipeline')
      .set('Authorization', serviceHeader)
      .send({ ...body, revision: 'f'.repeat(40) });
    expect(notOnBranch.status).toBe(400);
    expect(notOnBranch.body.error.message).toContain('revision: commit');
    const badRef = await request(app)
      .post('/deploys/pipeline')
      .set('Authorization', serviceHeader)
      .send({ ...body, entityRef: 'shop' });
    expect(badRef.status).toBe(400);
    const scriptLink = await request(app)
      .post('/deploys/pipeline')
      .set('Authorization', serviceHeader)
      // A script URL, spelled so the linter lets the test say it.
      .send({ ...body, pipelineUrl: ['javascript', 'alert(1)'].join(':') });
    expect(scriptLink.status).toBe(400);
    expect(scriptLink.body.error.message).toContain('pipelineUrl');
    const plain = await request(app)
      .post('/deploys/pipeline')
      .set('Authorization', serviceHeader)
      .send({ ...body, entityRef: 'component:default/plain' });
    expect(plain.body.error.message).toContain('is not linked to Flux objects');
  });

  it('accepts pipeline reports only from configured pipelines, for their entities', async () => {
    const sha = push('deploy/overlays/shop-dev/app.txt', 'v3\n');
    const body = {
      entityRef: 'component:default/shop',
      environment: 'development',
      revision: sha,
    };
    const reportAs = async (grants: PipelineGrant[], header?: string) => {
      const deps = fixtureDeps([watcher], grants, `file://${origin}`);
      const pipelineApp = appWith(
        createDeployRouter({
          scopes: deps.scopes,
          history: new DeployHistoryService(store),
          previews: new PreviewService({ clients: fakeClients(client), repos }),
          gitChanges: new GitChangeService({
            repos,
            history: new DeployHistoryService(store),
          }),
          gitDeploys: {} as GitDeployService,
          manualDeploys: {} as ManualDeployService,
          pipelineReports: new PipelineReportService({
            actions: new FluxActions(
              new FluxStatusService([watcher]),
              fakeClients(client),
            ),
            store,
            repos,
          }),
          audit: auditWith(fakeClients(client)).audit,
        }),
      );
      const req = request(pipelineApp).post('/deploys/pipeline');
      return (header ? req.set('Authorization', header) : req).send(body);
    };
    const other = { ...teamPipeline, owners: ['group:default/team-b'] };
    // No token, a user, an unconfigured service, a pipeline of another team,
    // one granted another entity: refused, nothing recorded.
    expect((await reportAs([teamPipeline])).status).toBe(401);
    expect((await reportAs([teamPipeline], ownerHeader)).status).toBe(403);
    expect((await reportAs([], serviceHeader)).status).toBe(403);
    const unconfigured = await reportAs(
      [{ ...teamPipeline, subject: 'external:elsewhere' }],
      serviceHeader,
    );
    expect(unconfigured.status).toBe(403);
    expect(unconfigured.body.error.message).toContain(
      'is not a configured pipeline',
    );
    const foreign = await reportAs([other], serviceHeader);
    expect(foreign.status).toBe(403);
    expect(foreign.body.error.message).toContain(
      'may not report deploys of component:default/shop',
    );
    expect(
      (
        await reportAs(
          [{ ...other, entities: ['component:default/plain'] }],
          serviceHeader,
        )
      ).status,
    ).toBe(403);
    expect(await store.list({ limit: 10 })).toEqual([]);
    expect(client.callsOf('mergePatch')).toEqual([]);
    // Granted by entity ref (kind defaulting to component) or by owner.
    const byEntity = await reportAs(
      [{ ...other, entities: ['component:default/shop'] }],
      serviceHeader,
    );
    expect(byEntity.status).toBe(201);
    expect((await reportAs([teamPipeline], serviceHeader)).status).toBe(201);
  });

  it.each([
    [
      'another entity',
      'component:default/platform',
      'belongs to component:default/platform',
    ],
    [
      'no entity',
      undefined,
      'has no gitops.backstage.io/entity-ref annotation',
    ],
  ])(
    'refuses every deploy action (403) when the environment’s source belongs to %s, changing nothing',
    async (_, claim, message) => {
      const deployed = await request(app)
        .post(base)
        .set('Authorization', ownerHeader)
        .send({ environment: 'development', changes, message: 'Ship 2.0.0' });
      expect(deployed.status).toBe(201);
      const shared = flux.gitRepository('shop-repo', 'apps', {
        url: `file://${origin}`,
        entityRef: claim,
      });
      client.emit('MODIFIED', shared, 'gitrepositories');
      expect(
        watcher.get('GitRepository', 'apps', 'shop-repo')?.metadata
          .annotations?.['gitops.backstage.io/entity-ref'],
      ).toBe(claim);
      const head = git(origin, 'rev-parse', 'main');
      const rows = await store.list({ limit: 10 });
      const applies = client.callsOf('serverSideApply').length;
      const patches = client.callsOf('mergePatch').length;
      const attempts = [
        request(app)
          .post(`${base}/preview`)
          .send({ environment: 'development', changes }),
        request(app)
          .post(base)
          .send({
            environment: 'development',
            changes: { replicas: 3 },
            message: 'x',
          }),
        request(app).post(`${base}/manual`).send({
          environment: 'development',
          image: 'registry.example.com/shop:hotfix',
          reason: 'hotfix',
        }),
        request(app)
          .post(`${base}/${deployed.body.deploy.id}/rollback`)
          .send({ dryRun: true }),
        request(app)
          .post(`${base}/${deployed.body.deploy.id}/rollback`)
          .send({}),
      ];
      for (const attempt of attempts) {
        const res = await attempt.set('Authorization', ownerHeader);
        expect(res.status).toBe(403);
        expect(res.body.error.message).toContain(message);
      }
      const pipeline = await request(app)
        .post('/deploys/pipeline')
        .set('Authorization', serviceHeader)
        .send({
          entityRef: 'component:default/shop',
          environment: 'development',
          revision: head,
        });
      expect(pipeline.status).toBe(403);
      expect(pipeline.body.error.message).toContain(message);
      expect(git(origin, 'rev-parse', 'main')).toBe(head);
      expect(await store.list({ limit: 10 })).toEqual(rows);
      expect(client.callsOf('serverSideApply')).toHaveLength(applies);
      expect(client.callsOf('mergePatch')).toHaveLength(patches);
    },
  );
});
