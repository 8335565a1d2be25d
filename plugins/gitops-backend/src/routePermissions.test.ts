import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  GITOPS_ROUTES,
  GitOpsRoute,
  gitopsDeployPermission,
  gitopsHealthCheckPermission,
  gitopsManualDeployPermission,
  gitopsReconcilePermission,
  gitopsRepairPermissions,
  gitopsRollbackPermission,
  gitopsSuspendPermission,
  REPAIR_TYPES,
} from '@gitops-backstage/plugin-gitops-common';
import express from 'express';
import request from 'supertest';
import { EntityScopeResolver } from './entities/EntityScopeResolver';
import { PipelineGrants } from './entities/PipelineGrants';
import { createRouter } from './router';
import { createDeployRouter } from './deploys/router';
import { createDiagnosticsRouter } from './diagnostics/router';
import {
  FakeClusterClient,
  flux,
  syncedWatcher,
} from './__testUtils__/fakeCluster';
import {
  appWith,
  ownerHeader,
  serviceHeader,
  shopEntity,
  teamPipeline,
} from './__testUtils__/routerFixture';

const SHOP = 'component:default/shop';
const ENTITY = '/entities/component/default/shop';
const OBJECT = `${ENTITY}/objects/local/Kustomization/apps/shop-dev`;
const SHA = 'a'.repeat(40);
const DIGEST = 'b'.repeat(64);

/** What a route's permission check is asked, as `name on resource`. */
type Asked = string;

/**
 * The permission each route asks the policy for, on which resource. A
 * route with none is open to what its own check allows (the catalog's view
 * of the entity, a pipeline grant, any signed-in user or service): the
 * reason says which. Swapping two permissions in a route fails this test.
 */
const EXPECTED: Record<
  GitOpsRoute,
  Array<{ call: [string, string, unknown?]; header?: string; asks: Asked[] }>
> = {
  'GET /clusters': [{ call: ['GET', '/clusters'], asks: [] }],
  'GET /objects': [{ call: ['GET', '/objects'], asks: [] }],
  'GET /entities/:kind/:namespace/:name/status': [
    { call: ['GET', `${ENTITY}/status`], asks: [] },
  ],
  'POST /entities/:kind/:namespace/:name/objects/:cluster/:objectKind/:objectNamespace/:objectName/reconcile':
    [
      {
        call: ['POST', `${OBJECT}/reconcile`, {}],
        asks: [`${gitopsReconcilePermission.name} on ${SHOP}`],
      },
    ],
  'POST /entities/:kind/:namespace/:name/objects/:cluster/:objectKind/:objectNamespace/:objectName/suspend':
    [
      {
        call: ['POST', `${OBJECT}/suspend`, { reason: 'r' }],
        asks: [`${gitopsSuspendPermission.name} on ${SHOP}`],
      },
    ],
  'POST /entities/:kind/:namespace/:name/objects/:cluster/:objectKind/:objectNamespace/:objectName/resume':
    [
      {
        call: ['POST', `${OBJECT}/resume`, {}],
        asks: [`${gitopsSuspendPermission.name} on ${SHOP}`],
      },
    ],
  'GET /entities/:kind/:namespace/:name/objects/:cluster/:objectKind/:objectNamespace/:objectName/events':
    [{ call: ['GET', `${OBJECT}/events`], asks: [] }],
  'GET /entities/:kind/:namespace/:name/objects/:cluster/:objectKind/:objectNamespace/:objectName/inventory':
    [{ call: ['GET', `${OBJECT}/inventory`], asks: [] }],
  'GET /entities/:kind/:namespace/:name/objects/:cluster/:objectKind/:objectNamespace/:objectName/drift':
    [{ call: ['GET', `${OBJECT}/drift`], asks: [] }],
  'GET /entities/:kind/:namespace/:name/deploys': [
    { call: ['GET', `${ENTITY}/deploys`], asks: [] },
  ],
  'GET /entities/:kind/:namespace/:name/deploys/:id(\\d+)': [
    { call: ['GET', `${ENTITY}/deploys/1`], asks: [] },
  ],
  'GET /entities/:kind/:namespace/:name/deploys/:id(\\d+)/changes': [
    {
      call: ['GET', `${ENTITY}/deploys/1/changes`],
      asks: [`${gitopsDeployPermission.name} on ${SHOP}`],
    },
  ],
  'GET /entities/:kind/:namespace/:name/environments/:environment/pending': [
    {
      call: ['GET', `${ENTITY}/environments/development/pending`],
      asks: [`${gitopsDeployPermission.name} on ${SHOP}`],
    },
  ],
  'POST /entities/:kind/:namespace/:name/deploys/preview': [
    {
      call: [
        'POST',
        `${ENTITY}/deploys/preview`,
        { environment: 'development', changes: { replicas: 2 } },
      ],
      asks: [`${gitopsDeployPermission.name} on ${SHOP}`],
    },
  ],
  'POST /entities/:kind/:namespace/:name/deploys': [
    {
      call: [
        'POST',
        `${ENTITY}/deploys`,
        {
          environment: 'development',
          changes: { replicas: 2 },
          message: 'scale',
        },
      ],
      asks: [`${gitopsDeployPermission.name} on ${SHOP}`],
    },
  ],
  'POST /entities/:kind/:namespace/:name/deploys/manual': [
    {
      call: [
        'POST',
        `${ENTITY}/deploys/manual`,
        { environment: 'development', image: 'nginx:1.27' },
      ],
      asks: [`${gitopsManualDeployPermission.name} on ${SHOP}`],
    },
  ],
  'POST /entities/:kind/:namespace/:name/deploys/:id(\\d+)/rollback': [
    {
      call: ['POST', `${ENTITY}/deploys/1/rollback`, {}],
      asks: [`${gitopsRollbackPermission.name} on ${SHOP}`],
    },
  ],
  // A pipeline's grant (gitops.pipelines) decides, not the policy: service
  // principals would pass it unasked.
  'POST /deploys/pipeline': [
    {
      call: [
        'POST',
        '/deploys/pipeline',
        { entityRef: SHOP, environment: 'development', revision: SHA },
      ],
      header: serviceHeader,
      asks: [],
    },
  ],
  'GET /health': [{ call: ['GET', '/health'], asks: [] }],
  'GET /health/clusters/:cluster/reports': [
    { call: ['GET', '/health/clusters/local/reports'], asks: [] },
  ],
  'POST /health/run': [
    {
      call: ['POST', '/health/run', {}],
      asks: [`${gitopsHealthCheckPermission.name} on (none)`],
    },
  ],
  'POST /health/repairs/plan': REPAIR_TYPES.map(type => ({
    call: ['POST', '/health/repairs/plan', { cluster: 'local', type }],
    asks: [`${gitopsRepairPermissions[type].name} on (none)`],
  })),
  'POST /health/repairs': REPAIR_TYPES.map(type => ({
    call: [
      'POST',
      '/health/repairs',
      { cluster: 'local', type, planDigest: DIGEST },
    ],
    asks: [`${gitopsRepairPermissions[type].name} on (none)`],
  })),
  'GET /health/repairs': [{ call: ['GET', '/health/repairs'], asks: [] }],
};

/** A service that must not be reached: the route stops at its check. */
const unreachable = new Proxy(
  {},
  {
    get: (_target, property) =>
      property === 'then'
        ? undefined
        : () => {
            throw new Error(`service reached: ${String(property)}`);
          },
  },
) as any;

describe('the permission each route asks for', () => {
  let app: ReturnType<typeof appWith>;
  let stop: () => void;
  const asked: Asked[] = [];

  beforeAll(async () => {
    const { watcher } = await syncedWatcher(
      new FakeClusterClient().add(
        flux.kustomization('shop-dev', 'apps', {
          labels: {
            'backstage.io/kubernetes-id': 'shop',
            'gitops.backstage.io/environment': 'development',
          },
          entityRef: SHOP,
          source: 'shop-repo',
        }),
        flux.gitRepository('shop-repo', 'apps', { entityRef: SHOP }),
      ),
    );
    stop = () => watcher.stop();
    // The policy denies everything and records what it was asked.
    const permissions = mockServices.permissions.mock({
      authorize: async (requests: any[]) =>
        requests.map(r => {
          asked.push(`${r.permission.name} on ${r.resourceRef ?? '(none)'}`);
          return { result: AuthorizeResult.DENY };
        }),
    });
    const httpAuth = mockServices.httpAuth({
      defaultCredentials: mockCredentials.none(),
    });
    const scopes = new EntityScopeResolver({
      httpAuth,
      permissions,
      catalog: catalogServiceMock({ entities: [shopEntity] }),
      auth: mockServices.auth(),
      watchers: [watcher],
      pipelines: new PipelineGrants([teamPipeline]),
    });
    const routers = [
      await createRouter({
        httpAuth,
        scopes,
        status: unreachable,
        events: unreachable,
        drift: unreachable,
        actions: unreachable,
        audit: unreachable,
      }),
      createDeployRouter({
        scopes,
        history: unreachable,
        previews: unreachable,
        gitChanges: unreachable,
        gitDeploys: unreachable,
        manualDeploys: unreachable,
        pipelineReports: unreachable,
        audit: unreachable,
      }),
      createDiagnosticsRouter({
        httpAuth,
        permissions,
        diagnostics: unreachable,
        audit: unreachable,
      }),
    ];
    const all = express.Router();
    routers.forEach(router => all.use(router));
    app = appWith(all);
  });

  afterAll(() => stop());

  it('has a row for every route', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...GITOPS_ROUTES].sort());
  });

  it.each(
    Object.entries(EXPECTED).flatMap(([route, calls]) =>
      calls.map(c => [route, c] as const),
    ),
  )('%s', async (_route, { call, header, asks }) => {
    asked.length = 0;
    const [method, path, body] = call;
    const pending =
      method === 'GET' ? request(app).get(path) : request(app).post(path);
    const response = await pending
      .set('Authorization', header ?? ownerHeader)
      .send(body as object);
    expect(asked).toEqual(asks);
    // Denied where a permission is asked; elsewhere the route got past its
    // own checks to a service, which the test does not provide.
    expect({
      status: response.status,
      reached: response.text.includes('service reached'),
    }).toEqual(
      asks.length > 0
        ? { status: 403, reached: false }
        : { status: 500, reached: true },
    );
  });
});
