import request from 'supertest';
import { ActionAudit } from './actions/ActionAudit';
import { FluxActions } from './actions/FluxActions';
import { FluxDriftService } from './status/FluxDriftService';
import { FluxEventsService } from './status/FluxEventsService';
import { FluxStatusService } from './status/FluxStatusService';
import { createRouter } from './router';
import {
  fakeClients,
  FakeClusterClient,
  flux,
  syncedWatcher,
} from './__testUtils__/fakeCluster';
import {
  appWith,
  auditWith,
  fixtureDeps,
  ownerHeader,
  serviceHeader,
  strangerHeader,
} from './__testUtils__/routerFixture';

const labels = {
  'backstage.io/kubernetes-id': 'shop',
  'gitops.backstage.io/environment': 'development',
};
const SHOP = 'component:default/shop';

describe('the Flux object routes', () => {
  let client: FakeClusterClient;
  let stop: () => void;
  let app: ReturnType<typeof appWith>;
  let audit: ActionAudit;
  let outcomes: ReturnType<typeof auditWith>['outcomes'];

  beforeEach(async () => {
    const synced = await syncedWatcher(
      new FakeClusterClient().add(
        flux.kustomization('shop-dev', 'apps', {
          labels,
          entityRef: SHOP,
          source: 'shop-repo',
          revision: `main@sha1:${'a'.repeat(40)}`,
          deployments: ['shop'],
        }),
        flux.kustomization('shop-prod', 'prod', {
          labels: {
            ...labels,
            'gitops.backstage.io/environment': 'production',
          },
          ready: 'False',
          reason: 'BuildFailed',
          source: 'shop-repo-prod',
          entityRef: SHOP,
        }),
        flux.gitRepository('shop-repo', 'apps', { entityRef: SHOP }),
        flux.kustomization('other', 'apps', {
          labels: { 'backstage.io/kubernetes-id': 'other' },
        }),
        flux.deployment('shop', 'apps'),
      ),
    );
    client = synced.client;
    stop = () => synced.watcher.stop();
    client.events = [
      {
        metadata: { namespace: 'apps', creationTimestamp: new Date(1000) },
        involvedObject: { kind: 'Kustomization', name: 'shop-dev' },
        type: 'Normal',
        reason: 'ReconciliationSucceeded',
        message: ' applied \n',
        lastTimestamp: new Date('2026-01-01T00:00:00Z'),
      },
      {
        metadata: { namespace: 'apps' },
        involvedObject: { kind: 'GitRepository', name: 'shop-repo' },
        reason: 'NewArtifact',
        series: { count: 3 },
        eventTime: '2026-01-02T00:00:00Z',
      },
    ];
    const status = new FluxStatusService([synced.watcher]);
    const clients = fakeClients(client);
    const deps = fixtureDeps([synced.watcher]);
    ({ audit, outcomes } = auditWith(clients));
    app = appWith(
      await createRouter({
        httpAuth: deps.httpAuth,
        scopes: deps.scopes,
        status,
        events: new FluxEventsService(clients),
        drift: new FluxDriftService(clients),
        actions: new FluxActions(status, clients, { handleTimeoutMs: 500 }),
        audit,
      }),
    );
  });

  afterEach(() => stop());

  const shop = '/entities/component/default/shop';
  const dev = `${shop}/objects/local/Kustomization/apps/shop-dev`;

  it('refuses every route without a token', async () => {
    for (const path of ['/clusters', '/objects', `${shop}/status`]) {
      expect((await request(app).get(path)).status).toBe(401);
    }
    expect((await request(app).post(`${dev}/reconcile`).send({})).status).toBe(
      401,
    );
  });

  it('lists clusters and objects for users and services', async () => {
    const clusters = await request(app)
      .get('/clusters')
      .set('Authorization', serviceHeader);
    expect(clusters.body.items).toEqual([
      expect.objectContaining({ name: 'local', state: 'ok' }),
    ]);
    const objects = await request(app)
      .get('/objects')
      .set('Authorization', ownerHeader);
    expect(objects.body.items).toHaveLength(4);
  });

  it("groups the entity's objects by environment, sources included", async () => {
    const res = await request(app)
      .get(`${shop}/status`)
      .set('Authorization', ownerHeader);
    expect(res.status).toBe(200);
    expect(res.body.environments.map((e: any) => e.name)).toEqual([
      'development',
      'production',
    ]);
    const [development, production] = res.body.environments;
    expect(development.objects.map((o: any) => o.name)).toEqual([
      'shop-dev',
      'shop-repo',
    ]);
    expect(development).toMatchObject({
      state: 'Ready',
      shortRevision: 'main@aaaaaaa',
    });
    expect(development.objects[0].workloads[0]).toMatchObject({
      name: 'shop',
      health: 'Healthy',
    });
    expect(production).toMatchObject({ state: 'Failed' });
  });

  it('answers 404 for an unknown entity and 400 for one without Flux annotations', async () => {
    expect(
      (
        await request(app)
          .get('/entities/component/default/nope/status')
          .set('Authorization', ownerHeader)
      ).status,
    ).toBe(404);
    const plain = await request(app)
      .get('/entities/component/default/plain/status')
      .set('Authorization', ownerHeader);
    expect(plain.status).toBe(400);
    expect(plain.body.error.message).toContain('backstage.io/kubernetes-id');
  });

  it('answers 400 naming the path parts that form no entity reference', async () => {
    for (const path of [
      '/entities/..%2F..%2Fetc/default/shop/status',
      '/entities/component/a%2Fb/shop/status',
      '/entities/component%3Ax/default/shop/status',
    ]) {
      const response = await request(app)
        .get(path)
        .set('Authorization', ownerHeader);
      expect({ path, status: response.status }).toEqual({ path, status: 400 });
      expect(response.body.error.message).toMatch(
        /^kind, namespace, name: .* is no entity reference/,
      );
    }
  });

  it('reconciles an object of the entity with its source for the owner', async () => {
    const res = await request(app)
      .post(`${dev}/reconcile`)
      .set('Authorization', ownerHeader)
      .send({ withSource: true });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      handled: true,
      status: { name: 'shop-dev' },
    });
    expect(
      client
        .callsOf('mergePatch')
        .map(([address, , manager]) => [address.kind, manager]),
    ).toEqual([
      ['GitRepository', 'backstage-gitops'],
      ['Kustomization', 'backstage-gitops'],
    ]);
    // Written as a Kubernetes Event on the object and to the audit trail.
    expect(client.callsOf('createEvent').map(([e]) => e)).toEqual([
      expect.objectContaining({
        metadata: expect.objectContaining({ namespace: 'apps' }),
        involvedObject: expect.objectContaining({
          apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
          kind: 'Kustomization',
          namespace: 'apps',
          name: 'shop-dev',
        }),
        type: 'Normal',
        reason: 'GitOpsPortalReconcile',
        message: 'reconcile by user:default/owner',
        reportingComponent: 'backstage-gitops',
      }),
      // The source was asked to fetch too: it says who asked.
      expect.objectContaining({
        involvedObject: expect.objectContaining({
          apiVersion: 'source.toolkit.fluxcd.io/v1',
          kind: 'GitRepository',
          namespace: 'apps',
        }),
        reason: 'GitOpsPortalReconcile',
        message: 'reconcile by user:default/owner',
      }),
    ]);
    expect(outcomes).toEqual([{ eventId: 'reconcile', outcome: 'success' }]);
  });

  it('answers 503 naming the cluster when it cannot be reached, not 500', async () => {
    client.failNext(
      'mergePatch',
      Object.assign(
        new Error(
          'request to https://127.0.0.1:17443/apis/x failed, reason: connect ECONNREFUSED 127.0.0.1:17443',
        ),
        { code: 'ECONNREFUSED' },
      ),
    );
    const res = await request(app)
      .post(`${dev}/reconcile`)
      .set('Authorization', ownerHeader)
      .send({});
    expect(res.status).toBe(503);
    expect(res.body.error.message).toBe(
      'patching Kustomization apps/shop-dev on cluster local: cluster unreachable (ECONNREFUSED): connect ECONNREFUSED 127.0.0.1:17443',
    );
  });

  it('says when Flux has not handled the request in time', async () => {
    client.handleReconcileRequests = false;
    const res = await request(app)
      .post(`${dev}/reconcile`)
      .set('Authorization', ownerHeader)
      .send({});
    expect(res.body.handled).toBe(false);
  });

  it('refuses service tokens on every entity route, changing nothing', async () => {
    for (const path of [`${shop}/status`, `${dev}/events`]) {
      const res = await request(app)
        .get(path)
        .set('Authorization', serviceHeader);
      expect(res.status).toBe(403);
    }
    for (const verb of ['reconcile', 'suspend', 'resume']) {
      const res = await request(app)
        .post(`${dev}/${verb}`)
        .set('Authorization', serviceHeader)
        .send({});
      expect(res.status).toBe(403);
    }
    expect(client.callsOf('mergePatch')).toEqual([]);
    expect(client.callsOf('createEvent')).toEqual([]);
  });

  it('refuses another team, other entities’ objects and bad bodies', async () => {
    const stranger = await request(app)
      .post(`${dev}/reconcile`)
      .set('Authorization', strangerHeader)
      .send({});
    expect(stranger.status).toBe(403);
    const foreign = await request(app)
      .post(`${shop}/objects/local/Kustomization/apps/other/reconcile`)
      .set('Authorization', ownerHeader)
      .send({});
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.message).toContain('does not belong to');
    const missing = await request(app)
      .post(`${shop}/objects/local/Kustomization/apps/gone/reconcile`)
      .set('Authorization', ownerHeader)
      .send({});
    expect(missing.status).toBe(404);
    const noCluster = await request(app)
      .post(`${shop}/objects/elsewhere/Kustomization/apps/shop-dev/reconcile`)
      .set('Authorization', ownerHeader)
      .send({});
    expect(noCluster.status).toBe(404);
    const bad = await request(app)
      .post(`${dev}/reconcile`)
      .set('Authorization', ownerHeader)
      .send({ withSource: 'yes' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('withSource');
    const extra = await request(app)
      .post(`${dev}/suspend`)
      .set('Authorization', ownerHeader)
      .send({ reason: 'x'.repeat(501) });
    expect(extra.status).toBe(400);
    expect(client.callsOf('mergePatch')).toEqual([]);
    expect(client.callsOf('createEvent')).toEqual([]);
    expect(outcomes).toEqual([]);
  });

  it('refuses to reconcile a suspended object', async () => {
    await request(app)
      .post(`${dev}/suspend`)
      .set('Authorization', ownerHeader)
      .send({});
    const res = await request(app)
      .post(`${dev}/reconcile`)
      .set('Authorization', ownerHeader)
      .send({});
    expect(res.status).toBe(409);
  });

  it('suspends and resumes, recording who and why', async () => {
    const suspended = await request(app)
      .post(`${dev}/suspend`)
      .set('Authorization', ownerHeader)
      .send({ reason: 'incident 42' });
    expect(suspended.status).toBe(200);
    expect(suspended.body.status).toMatchObject({ suspended: true });
    const annotations = client.get('Kustomization', 'apps', 'shop-dev').metadata
      .annotations;
    expect(annotations).toMatchObject({
      'gitops.backstage.io/suspended-by': 'user:default/owner',
      'gitops.backstage.io/suspend-reason': 'incident 42',
    });
    const resumed = await request(app)
      .post(`${dev}/resume`)
      .set('Authorization', ownerHeader)
      .send({});
    expect(resumed.body.status).toMatchObject({ suspended: false });
    const after = client.get('Kustomization', 'apps', 'shop-dev').metadata
      .annotations;
    expect(after['gitops.backstage.io/suspended-by']).toBeUndefined();
    expect(after['gitops.backstage.io/resumed-by']).toBe('user:default/owner');
    expect(
      client.callsOf('createEvent').map(([e]) => [e.reason, e.message]),
    ).toEqual([
      ['GitOpsPortalSuspend', 'suspend by user:default/owner: incident 42'],
      ['GitOpsPortalResume', 'resume by user:default/owner'],
    ]);
    expect(after['reconcile.fluxcd.io/requestedAt']).toBeDefined();
  });

  it('lists the events of an object and of its source, newest first', async () => {
    const res = await request(app)
      .get(`${dev}/events`)
      .set('Authorization', strangerHeader);
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      {
        kind: 'GitRepository',
        name: 'shop-repo',
        type: 'Normal',
        reason: 'NewArtifact',
        message: '',
        count: 3,
        lastSeen: '2026-01-02T00:00:00Z',
      },
      {
        kind: 'Kustomization',
        name: 'shop-dev',
        type: 'Normal',
        reason: 'ReconciliationSucceeded',
        message: 'applied',
        count: 1,
        lastSeen: '2026-01-01T00:00:00.000Z',
      },
    ]);
  });

  it('answers what a Kustomization applied from the copies, for the entity’s readers only', async () => {
    const calls = client.calls.length;
    const res = await request(app)
      .get(`${dev}/inventory`)
      .set('Authorization', ownerHeader);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      total: 1,
      root: { kind: 'Kustomization', name: 'shop-dev', state: 'Ready' },
    });
    expect(res.body.root.children).toEqual([
      {
        kind: 'Deployment',
        namespace: 'apps',
        items: [
          expect.objectContaining({
            apiVersion: 'apps/v1',
            name: 'shop',
            health: expect.any(String),
          }),
        ],
      },
    ]);
    // No request to the cluster per object.
    expect(client.calls.length).toBe(calls);

    const source = await request(app)
      .get(`${shop}/objects/local/GitRepository/apps/shop-repo/inventory`)
      .set('Authorization', ownerHeader);
    expect(source.status).toBe(400);
    expect(source.body.error.message).toMatch(/^objectKind: /);
    const foreign = await request(app)
      .get(`${shop}/objects/local/Kustomization/apps/other/inventory`)
      .set('Authorization', ownerHeader);
    expect(foreign.status).toBe(404);
    const service = await request(app)
      .get(`${dev}/inventory`)
      .set('Authorization', serviceHeader);
    expect(service.status).toBe(403);
    expect((await request(app).get(`${dev}/inventory`)).status).toBe(401);
  });

  it('reads the inventory live for drift, for the entity’s readers only', async () => {
    client.add(
      flux.deployment('shop', 'apps', {
        replicas: 5,
        labels: {
          'kustomize.toolkit.fluxcd.io/name': 'shop-dev',
          'kustomize.toolkit.fluxcd.io/namespace': 'apps',
        },
        managedFields: [
          {
            manager: 'kustomize-controller',
            operation: 'Apply',
            fieldsV1: { 'f:spec': { 'f:template': {} } },
          },
          {
            manager: 'kubectl',
            operation: 'Update',
            subresource: 'scale',
            time: '2026-12-07T11:00:00Z',
            fieldsV1: { 'f:spec': { 'f:replicas': {} } },
          },
        ],
      }),
    );
    const res = await request(app)
      .get(`${dev}/drift`)
      .set('Authorization', ownerHeader);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      fluxManager: 'kustomize-controller',
      total: 1,
      checked: 1,
      unreadable: [],
      syncEffect: expect.stringMatching(/^Sync applies Git again/),
      objects: [
        {
          kind: 'Deployment',
          namespace: 'apps',
          name: 'shop',
          drift: 'changed',
          fields: [
            {
              path: 'spec.replicas',
              manager: 'kubectl',
              subresource: 'scale',
              live: '5',
            },
          ],
        },
      ],
    });
    expect(client.calls.filter(c => c.method === 'read')).toHaveLength(1);
    // Asked again after an answer, read again: a change right after the
    // first answer must show.
    const reads = () => client.calls.filter(c => c.method === 'read').length;
    const again = reads();
    await request(app).get(`${dev}/drift`).set('Authorization', ownerHeader);
    expect(reads()).toBe(again + 1);

    await client.delete({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: 'apps',
      name: 'shop',
    });
    const missing = await request(app)
      .get(`${dev}/drift`)
      .set('Authorization', ownerHeader);
    expect(missing.body.objects).toEqual([
      expect.objectContaining({ name: 'shop', drift: 'missing', fields: [] }),
    ]);

    client.failNext('read', new Error('socket hang up'));
    const failing = await request(app)
      .get(`${dev}/drift`)
      .set('Authorization', ownerHeader);
    expect(failing.status).toBe(503);
    expect(failing.body.error.message).toMatch(/^cluster 'local': /);

    const source = await request(app)
      .get(`${shop}/objects/local/GitRepository/apps/shop-repo/drift`)
      .set('Authorization', ownerHeader);
    expect(source.status).toBe(400);
    expect(source.body.error.message).toMatch(/^objectKind: /);
    const foreign = await request(app)
      .get(`${shop}/objects/local/Kustomization/apps/other/drift`)
      .set('Authorization', ownerHeader);
    expect(foreign.status).toBe(404);
    const stranger = await request(app)
      .get(`${dev}/drift`)
      .set('Authorization', strangerHeader);
    // Readers of the entity see drift (as they see status and events).
    expect(stranger.status).toBe(200);
    const service = await request(app)
      .get(`${dev}/drift`)
      .set('Authorization', serviceHeader);
    expect(service.status).toBe(403);
    expect((await request(app).get(`${dev}/drift`)).status).toBe(401);
  });

  it('says why events could not be read', async () => {
    client.failNext('listEvents', new Error('socket hang up'));
    const res = await request(app)
      .get(`${dev}/events`)
      .set('Authorization', ownerHeader);
    expect(res.status).toBe(500);
    expect(res.body.error.message).toContain('reading events: socket hang up');
  });
});

describe('the Flux object routes: two-sided ownership', () => {
  let client: FakeClusterClient;
  let stop: () => void;
  let app: ReturnType<typeof appWith>;
  let outcomes: ReturnType<typeof auditWith>['outcomes'];
  const shop = '/entities/component/default/shop';
  const VICTIM = 'component:default/victim';

  beforeEach(async () => {
    const synced = await syncedWatcher(
      new FakeClusterClient().add(
        // Matched by shop's id, but another entity's by its annotation.
        flux.kustomization('victim-dev', 'victim', {
          labels,
          entityRef: VICTIM,
        }),
        // Matched by shop's id, made outside the portal.
        flux.kustomization('legacy', 'apps', { labels, source: 'shop-repo' }),
        // Shop's own, deployed from a shared source of another entity.
        flux.kustomization('shop-dev', 'apps', {
          labels,
          entityRef: SHOP,
          source: 'flux-system',
          sourceNamespace: 'flux-system',
        }),
        flux.gitRepository('flux-system', 'flux-system', {
          entityRef: 'component:default/platform',
        }),
        flux.gitRepository('shop-repo', 'apps', { entityRef: SHOP }),
      ),
    );
    client = synced.client;
    stop = () => synced.watcher.stop();
    const status = new FluxStatusService([synced.watcher]);
    const clients = fakeClients(client);
    const deps = fixtureDeps([synced.watcher]);
    let audit: ActionAudit;
    ({ audit, outcomes } = auditWith(clients));
    app = appWith(
      await createRouter({
        httpAuth: deps.httpAuth,
        scopes: deps.scopes,
        status,
        events: new FluxEventsService(clients),
        drift: new FluxDriftService(clients),
        actions: new FluxActions(status, clients, { handleTimeoutMs: 500 }),
        audit,
      }),
    );
  });

  afterEach(() => stop());

  it('shows what the selector matched but is not the entity’s as warnings, and hides foreign objects', async () => {
    const res = await request(app)
      .get(`${shop}/status`)
      .set('Authorization', ownerHeader);
    expect(res.status).toBe(200);
    const names = res.body.environments.flatMap((e: any) =>
      e.objects.map((o: any) => o.name),
    );
    expect(names.sort()).toEqual([
      'flux-system',
      'legacy',
      'shop-dev',
      'shop-repo',
    ]);
    expect(res.body.warnings).toEqual([
      `1 object matched by this entity's selector belongs to ${VICTIM} (annotation gitops.backstage.io/entity-ref) and is not shown`,
      'Shared sources of other entities are shown read-only: GitRepository flux-system/flux-system (component:default/platform)',
      '1 object has no gitops.backstage.io/entity-ref annotation and is shown read-only (Kustomization apps/legacy): to act on it from component:default/shop, add the annotation gitops.backstage.io/entity-ref: component:default/shop to it in Git',
    ]);
  });

  it('refuses (403, naming the annotation) every action on objects the cluster does not say are the entity’s', async () => {
    const objects = `${shop}/objects/local`;
    const refused = [
      [`Kustomization/victim/victim-dev`, `belongs to ${VICTIM}`],
      [
        `GitRepository/flux-system/flux-system`,
        'belongs to component:default/platform',
      ],
      [`Kustomization/apps/legacy`, 'has no gitops.backstage.io/entity-ref'],
    ];
    for (const [path, message] of refused) {
      for (const verb of ['reconcile', 'suspend', 'resume']) {
        const res = await request(app)
          .post(`${objects}/${path}/${verb}`)
          .set('Authorization', ownerHeader)
          .send({});
        expect(res.status).toBe(403);
        expect(res.body.error.message).toContain(message);
        expect(res.body.error.message).toContain(
          'gitops.backstage.io/entity-ref',
        );
      }
    }
    // Reading a foreign object's events is refused too; a read-only one's is not.
    const events = await request(app)
      .get(`${objects}/Kustomization/victim/victim-dev/events`)
      .set('Authorization', ownerHeader);
    expect(events.status).toBe(403);
    const legacyEvents = await request(app)
      .get(`${objects}/Kustomization/apps/legacy/events`)
      .set('Authorization', ownerHeader);
    expect(legacyEvents.status).toBe(200);
    expect(client.callsOf('mergePatch')).toEqual([]);
    expect(client.callsOf('createEvent')).toEqual([]);
    expect(outcomes).toEqual([]);
    // Its own object may be reconciled, but not "with its source" when the
    // source is another entity's.
    const withSource = await request(app)
      .post(`${objects}/Kustomization/apps/shop-dev/reconcile`)
      .set('Authorization', ownerHeader)
      .send({ withSource: true });
    expect(withSource.status).toBe(403);
    expect(withSource.body.error.message).toContain(
      'GitRepository flux-system/flux-system belongs to component:default/platform',
    );
    expect(client.callsOf('mergePatch')).toEqual([]);
    // The entity's own object stays actionable.
    const own = await request(app)
      .post(`${objects}/Kustomization/apps/shop-dev/suspend`)
      .set('Authorization', ownerHeader)
      .send({});
    expect(own.status).toBe(200);
  });
});
