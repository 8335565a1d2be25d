import { createEntityFixture, EntityFixture } from './authz/entityFixture';
import { backendUrl, callPortal } from './portal/portalApi';
import { TestGitServer } from './stack/gitea';
import { KUSTOMIZE_API } from './stack/fluxPair';
import { FluxObject, TestCluster, waitFor } from './stack/kube';
import { readStackEnv } from './stack/stackEnv';

jest.setTimeout(240_000);

const env = readStackEnv();
const cluster = new TestCluster(env);
const git = new TestGitServer(env);
const PIPELINE_TOKEN =
  process.env.GITOPS_PIPELINE_TOKEN ?? 'local-stack-pipeline-token';

/** A call with the pipeline's static token (a service principal). */
function asPipeline(path: string, body: unknown) {
  return fetch(`${backendUrl}${path}`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${PIPELINE_TOKEN}`,
      'Content-Type': 'application/json',
    },
    body: JSON.stringify(body),
  });
}

/**
 * Who may act: service principals stay off user routes, the pipeline token
 * reports only for what gitops.pipelines grants it, a repair applies only
 * the plan shown, and every action leaves a Kubernetes Event.
 */
describe('Principals, plan digests and action events on the real stack', () => {
  let fixture: EntityFixture;
  let namespace: string;
  let objectPath: string;
  /** Owned by another team: the local pipeline token is granted the guests'. */
  let foreign: string;
  let sha: string;

  const kustomization = () =>
    cluster.read<FluxObject>(
      KUSTOMIZE_API,
      'Kustomization',
      namespace,
      'development',
    );

  beforeAll(async () => {
    fixture = await createEntityFixture(env, cluster, git, 'e2e-principal');
    ({ namespace, objectPath, otherId: foreign, firstSha: sha } = fixture);
  });

  afterAll(async () => {
    if (fixture) {
      await cluster.deleteNamespace(fixture.namespace);
    }
  });

  it('refuses the pipeline token on user routes and for entities not granted to it, changing nothing', async () => {
    // Valid bodies: only who calls is wrong.
    for (const [path, body] of [
      [`${objectPath}/reconcile`, {}],
      [`${objectPath}/suspend`, { reason: 'pipeline' }],
      [
        `${fixture.entityPath}/deploys/preview`,
        { environment: 'development', changes: { replicas: 2 } },
      ],
      ['/api/gitops/health/run', { cluster: 'local' }],
      [
        '/api/gitops/health/repairs/plan',
        {
          cluster: 'local',
          type: 'resync',
          target: { kind: 'Kustomization', namespace, name: 'development' },
        },
      ],
    ] as const) {
      const response = await asPipeline(path, body);
      expect({ path, status: response.status }).toEqual({ path, status: 403 });
    }
    const annotations = (await kustomization()).metadata?.annotations ?? {};
    expect(annotations['reconcile.fluxcd.io/requestedAt']).toBeUndefined();
    expect((await kustomization()).spec?.suspend).toBeFalsy();

    const report = {
      entityRef: `component:default/${foreign}`,
      environment: 'development',
      revision: sha,
    };
    const refused = await asPipeline('/api/gitops/deploys/pipeline', report);
    expect(refused.status).toBe(403);
    expect((await refused.json()).error.message).toContain(
      `may not report deploys of component:default/${foreign}`,
    );
    const history = await callPortal(
      `/api/gitops/entities/component/default/${foreign}/deploys`,
    );
    expect(history.status).toBe(200);
    expect((await history.json()).items).toEqual([]);
  });

  it('writes every action as a Kubernetes Event on the object, with who and why', async () => {
    const reconciled = await callPortal(`${objectPath}/reconcile`, {
      method: 'POST',
      body: { withSource: true },
    });
    expect(reconciled.status).toBe(200);
    const suspended = await callPortal(`${objectPath}/suspend`, {
      method: 'POST',
      body: { reason: 'e2e: change freeze' },
    });
    expect(suspended.status).toBe(200);
    const resumed = await callPortal(`${objectPath}/resume`, {
      method: 'POST',
      body: {},
    });
    expect(resumed.status).toBe(200);

    const development = {
      kind: 'Kustomization',
      namespace,
      name: 'development',
    };
    const events = await waitFor('the portal events', async () => {
      const ours = await cluster.portalEvents(development);
      return ours.length >= 3 ? ours : undefined;
    });
    expect(
      events
        .map(e => [e.reason, e.message, e.type])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    ).toEqual([
      ['GitOpsPortalReconcile', 'reconcile by user:default/guest', 'Normal'],
      ['GitOpsPortalResume', 'resume by user:default/guest', 'Normal'],
      [
        'GitOpsPortalSuspend',
        'suspend by user:default/guest: e2e: change freeze',
        'Normal',
      ],
    ]);
    // "Sync with source" asked the GitRepository to fetch too.
    const sourceEvent = await cluster.portalEvent(
      { ...development, kind: 'GitRepository' },
      'GitOpsPortalReconcile',
    );
    expect(sourceEvent.message).toBe('reconcile by user:default/guest');
  });

  it('applies a repair only with the digest of the current plan (409 once the cluster moved)', async () => {
    const request = {
      cluster: 'local',
      type: 'resync',
      target: { kind: 'Kustomization', namespace, name: 'development' },
    };
    const plan = async () => {
      const response = await callPortal('/api/gitops/health/repairs/plan', {
        method: 'POST',
        body: request,
      });
      expect(response.status).toBe(200);
      return (await response.json()) as { digest: string };
    };
    const shown = await plan();
    expect(shown.digest).toMatch(/^[0-9a-f]{64}$/);

    const missing = await callPortal('/api/gitops/health/repairs', {
      method: 'POST',
      body: request,
    });
    expect(missing.status).toBe(400);
    expect((await missing.json()).error.message).toContain('planDigest');

    // Someone changes the Kustomization's spec after the plan was shown.
    await cluster.mergePatch(
      KUSTOMIZE_API,
      'Kustomization',
      namespace,
      'development',
      {
        spec: { interval: '59m' },
      },
    );
    const replanned = await waitFor('a new plan digest', async () => {
      const next = await plan();
      return next.digest !== shown.digest ? next : undefined;
    });
    const stale = await callPortal('/api/gitops/health/repairs', {
      method: 'POST',
      body: { ...request, planDigest: shown.digest },
    });
    expect(stale.status).toBe(409);
    const applied = await callPortal('/api/gitops/health/repairs', {
      method: 'POST',
      body: { ...request, planDigest: replanned.digest },
    });
    expect(applied.status).toBe(200);
    expect((await applied.json()).outcome).toBe('applied');
    const repairEvent = await cluster.portalEvent(
      { kind: 'Kustomization', namespace, name: 'development' },
      'GitOpsPortalRepair',
    );
    expect(repairEvent.message).toBe('repair by user:default/guest: resync');
  });
});
