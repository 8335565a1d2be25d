import {
  GITOPS_ROUTES,
  GitOpsRoute,
} from '@gitops-backstage/plugin-gitops-common';
import { backendUrl, callPortal } from './portal/portalApi';
import { authorizationOf, PRINCIPALS, PrincipalName } from './portal/users';
import { createEntityFixture, EntityFixture } from './authz/entityFixture';
import { quietState } from './authz/stackState';
import { TestGitServer } from './stack/gitea';
import { TestCluster } from './stack/kube';
import { readStackEnv } from './stack/stackEnv';

jest.setTimeout(300_000);

const env = readStackEnv();
const cluster = new TestCluster(env);
const git = new TestGitServer(env);

type Statuses = Record<PrincipalName, number>;

/** Reads open to every authenticated principal, services included. */
const openRead: Statuses = {
  'no token': 401,
  'forged token': 401,
  reader: 200,
  'owner of another entity': 200,
  owner: 200,
  'service token': 200,
  'pipeline token': 200,
};
/** Reads for signed-in users only. */
const userRead: Statuses = {
  ...openRead,
  'service token': 403,
  'pipeline token': 403,
};
/** Actions for the entity's owners (the guest also repairs). */
const ownerOnly = (status: number): Statuses => ({
  ...userRead,
  reader: 403,
  'owner of another entity': 403,
  owner: status,
});

interface Row {
  /** The path with the fixture's entity, object and deploy filled in. */
  path: (f: EntityFixture) => string;
  /** A valid body: only who calls decides the answer. */
  body?: (f: EntityFixture) => Promise<unknown> | unknown;
  expected: Statuses;
}

/** A plan's request, for the repair routes. */
const resync = (f: EntityFixture) => ({
  cluster: 'local',
  type: 'resync',
  target: {
    kind: 'Kustomization',
    namespace: f.namespace,
    name: 'development',
  },
});

/** The digest the owner is shown for the resync plan now. */
async function currentPlanDigest(f: EntityFixture): Promise<string> {
  const response = await callPortal('/api/gitops/health/repairs/plan', {
    method: 'POST',
    body: resync(f),
  });
  expect(response.status).toBe(200);
  return (await response.json()).digest;
}

/**
 * One row per route of the backend; the type makes a route without a row a
 * compile error, and the first test makes it a failure too. Rows run in
 * this order: the owner's suspend is undone by its resume, its deploy gives
 * the rollback something to roll back.
 */
const ROWS: Record<GitOpsRoute, Row> = {
  'GET /clusters': { path: () => '/clusters', expected: openRead },
  'GET /objects': { path: () => '/objects', expected: openRead },
  'GET /entities/:kind/:namespace/:name/status': {
    path: f => `${f.entityPath}/status`,
    expected: userRead,
  },
  'POST /entities/:kind/:namespace/:name/objects/:cluster/:objectKind/:objectNamespace/:objectName/reconcile':
    {
      path: f => `${f.objectPath}/reconcile`,
      body: () => ({ withSource: true }),
      expected: ownerOnly(200),
    },
  'POST /entities/:kind/:namespace/:name/objects/:cluster/:objectKind/:objectNamespace/:objectName/suspend':
    {
      path: f => `${f.objectPath}/suspend`,
      body: () => ({ reason: 'authorization matrix' }),
      expected: ownerOnly(200),
    },
  'POST /entities/:kind/:namespace/:name/objects/:cluster/:objectKind/:objectNamespace/:objectName/resume':
    {
      path: f => `${f.objectPath}/resume`,
      body: () => ({ reason: 'authorization matrix' }),
      expected: ownerOnly(200),
    },
  'GET /entities/:kind/:namespace/:name/objects/:cluster/:objectKind/:objectNamespace/:objectName/events':
    { path: f => `${f.objectPath}/events`, expected: userRead },
  'GET /entities/:kind/:namespace/:name/objects/:cluster/:objectKind/:objectNamespace/:objectName/inventory':
    { path: f => `${f.objectPath}/inventory`, expected: userRead },
  'GET /entities/:kind/:namespace/:name/objects/:cluster/:objectKind/:objectNamespace/:objectName/drift':
    { path: f => `${f.objectPath}/drift`, expected: userRead },
  'GET /entities/:kind/:namespace/:name/deploys': {
    path: f => `${f.entityPath}/deploys`,
    expected: userRead,
  },
  'GET /entities/:kind/:namespace/:name/deploys/:id(\\d+)': {
    path: f => `${f.entityPath}/deploys/${f.firstDeployId}`,
    expected: userRead,
  },
  // The row against itself: the smallest answer the route gives, whatever
  // rows other cases add.
  'GET /entities/:kind/:namespace/:name/deploys/:id(\\d+)/changes': {
    path: f =>
      `${f.entityPath}/deploys/${f.firstDeployId}/changes?since=${f.firstDeployId}`,
    expected: ownerOnly(200),
  },
  'GET /entities/:kind/:namespace/:name/environments/:environment/pending': {
    path: f => `${f.entityPath}/environments/development/pending`,
    expected: ownerOnly(200),
  },
  'POST /entities/:kind/:namespace/:name/deploys/preview': {
    path: f => `${f.entityPath}/deploys/preview`,
    body: () => ({ environment: 'development', changes: { replicas: 2 } }),
    expected: ownerOnly(200),
  },
  'POST /entities/:kind/:namespace/:name/deploys': {
    path: f => `${f.entityPath}/deploys`,
    body: () => ({
      environment: 'development',
      changes: { replicas: 2 },
      message: 'authorization matrix',
    }),
    expected: ownerOnly(201),
  },
  'POST /entities/:kind/:namespace/:name/deploys/manual': {
    path: f => `${f.entityPath}/deploys/manual`,
    body: () => ({
      environment: 'development',
      deployment: 'hello',
      image: 'nginx:1.28',
      reason: 'authorization matrix',
    }),
    expected: ownerOnly(201),
  },
  'POST /entities/:kind/:namespace/:name/deploys/:id(\\d+)/rollback': {
    path: f => `${f.entityPath}/deploys/${f.firstDeployId}/rollback`,
    // Refused callers ask for the real rollback; the owner's is a dry run
    // (the owner's mutations are proven by the deploy rows).
    body: () => ({ message: 'authorization matrix' }),
    expected: ownerOnly(201),
  },
  'POST /deploys/pipeline': {
    path: () => '/deploys/pipeline',
    body: f => ({
      entityRef: `component:default/${f.id}`,
      environment: 'development',
      revision: f.firstSha,
      pipeline: 'authorization-matrix',
    }),
    expected: {
      'no token': 401,
      'forged token': 401,
      reader: 403,
      'owner of another entity': 403,
      owner: 403,
      'service token': 403,
      'pipeline token': 201,
    },
  },
  'GET /health': { path: () => '/health', expected: openRead },
  'GET /health/clusters/:cluster/reports': {
    path: () => '/health/clusters/local/reports',
    expected: openRead,
  },
  'POST /health/run': {
    path: () => '/health/run',
    body: () => ({ cluster: 'local' }),
    expected: ownerOnly(200),
  },
  'POST /health/repairs/plan': {
    path: () => '/health/repairs/plan',
    body: resync,
    expected: ownerOnly(200),
  },
  'POST /health/repairs': {
    path: () => '/health/repairs',
    body: async f => ({ ...resync(f), planDigest: await currentPlanDigest(f) }),
    expected: ownerOnly(200),
  },
  'GET /health/repairs': { path: () => '/health/repairs', expected: openRead },
};

/** "401 for no token, forged token; 403 for reader, ...; 200 for owner". */
function describeExpected(expected: Statuses): string {
  const byStatus = new Map<number, PrincipalName[]>();
  for (const principal of PRINCIPALS) {
    const status = expected[principal];
    byStatus.set(status, [...(byStatus.get(status) ?? []), principal]);
  }
  return [...byStatus.entries()]
    .map(([status, who]) => `${status} for ${who.join(', ')}`)
    .join('; ');
}

describe('Authorization matrix: every GitOps route × every kind of caller, on the real stack', () => {
  let fixture: EntityFixture;
  let authorization: Awaited<ReturnType<typeof authorizationOf>>;
  let requests = 0;

  beforeAll(async () => {
    fixture = await createEntityFixture(env, cluster, git, 'e2e-matrix');
    authorization = await authorizationOf(env);
  }, 300_000);

  afterAll(async () => {
    // eslint-disable-next-line no-console
    console.log(`authorization matrix: ${requests} requests`);
    if (fixture) {
      await cluster.deleteNamespace(fixture.namespace);
    }
  });

  async function call(
    route: GitOpsRoute,
    principal: PrincipalName,
    body: unknown,
  ) {
    const [method] = route.split(' ');
    const row = ROWS[route];
    const auth = authorization[principal];
    requests += 1;
    const path = row.path(fixture);
    const response = await fetch(
      `${backendUrl}${path.startsWith('/api/') ? path : `/api/gitops${path}`}`,
      {
        method,
        headers: {
          ...(auth ? { Authorization: auth } : {}),
          ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      },
    );
    return { status: response.status, text: await response.text() };
  }

  it('has one row for each route the backend registers', () => {
    expect(Object.keys(ROWS).sort()).toEqual([...GITOPS_ROUTES].sort());
  });

  it.each(
    (Object.entries(ROWS) as Array<[GitOpsRoute, Row]>).map(
      ([route, row]) =>
        [
          `${route}: ${describeExpected(
            expectedOf(route, row),
          )}; the refusals change nothing`,
          route,
          row,
        ] as const,
    ),
  )('%s', async (_name, route, row) => {
    const body = await row.body?.(fixture);
    const refused = PRINCIPALS.filter(p => row.expected[p] >= 400);
    const allowed = PRINCIPALS.filter(p => row.expected[p] < 400);

    const before = await quietState(env, cluster, fixture);
    const answers: Partial<Record<PrincipalName, number>> = {};
    const texts: Partial<Record<PrincipalName, string>> = {};
    for (const principal of refused) {
      const { status, text } = await call(route, principal, body);
      answers[principal] = status;
      texts[principal] = text;
    }
    // Refusals first, with the stack unchanged, then the allowed calls.
    const after = await quietState(env, cluster, fixture);
    expect(after).toEqual(before);

    for (const principal of allowed) {
      // The owner's rollback is a dry run: the deploy rows show writes.
      const allowedBody =
        route.endsWith('/rollback') && principal === 'owner'
          ? { dryRun: true }
          : body;
      const { status, text } = await call(route, principal, allowedBody);
      answers[principal] = status;
      texts[principal] = text;
    }
    const expected = expectedOf(route, row);
    expect({
      route,
      answers,
      texts: failedTexts(answers, expected, texts),
    }).toEqual({ route, answers: expected, texts: {} });
  });
});

/** The owner's rollback is a dry run (200); everything else as the row says. */
function expectedOf(route: GitOpsRoute, row: Row): Statuses {
  return route.endsWith('/rollback')
    ? { ...row.expected, owner: 200 }
    : row.expected;
}

/** The bodies of the answers that differ from the expected status. */
function failedTexts(
  answers: Partial<Record<PrincipalName, number>>,
  expected: Statuses,
  texts: Partial<Record<PrincipalName, string>>,
): Partial<Record<PrincipalName, string>> {
  return Object.fromEntries(
    PRINCIPALS.filter(p => answers[p] !== expected[p]).map(p => [
      p,
      (texts[p] ?? '').slice(0, 300),
    ]),
  );
}
