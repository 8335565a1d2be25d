import type {
  EntityGitOpsStatus,
  FluxObjectList,
  FluxObjectStatus,
} from '@gitops-backstage/plugin-gitops-common';
import { launchBrowser, saveScreenshot, signInAsGuest } from './browser';
import { backendUrl, callPortal, pollPortal } from './portal/portalApi';
import { catalogInfo, registerComponent } from './portal/gitopsEntity';
import { appManifests } from './stack/fixtures';
import { TestGitServer } from './stack/gitea';
import { applyFluxPair, KUSTOMIZE_API } from './stack/fluxPair';
import { condition, FluxObject, TestCluster, waitFor } from './stack/kube';
import { readStackEnv } from './stack/stackEnv';

jest.setTimeout(240_000);

const env = readStackEnv();
const cluster = new TestCluster(env);
const git = new TestGitServer(env);

/**
 * One entity, one namespace, one environment label per scenario: each
 * scenario breaks Flux in its own way.
 */
const scenarios = {
  ready: {},
  'bad-path': { path: './missing' },
  'wrong-password': { password: 'not-the-password' },
  'health-check': {
    timeout: '5s',
    healthChecks: [
      { apiVersion: 'apps/v1', kind: 'Deployment', name: 'ghost' },
    ],
  },
  dependency: { dependsOn: [{ name: 'does-not-exist' }] },
  suspended: { suspend: true },
} as const;
type Scenario = keyof typeof scenarios;

describe('Flux status through the portal API', () => {
  const id = `e2e-status-${Date.now().toString(36).slice(-5)}`;
  let namespace: string;
  let repo: string;
  let firstSha: string;
  const entityPath = `/api/gitops/entities/component/default/${id}`;

  async function entityStatus(): Promise<EntityGitOpsStatus> {
    const response = await callPortal(`${entityPath}/status`);
    expect(response.status).toBe(200);
    return response.json();
  }

  async function objectStatus(scenario: Scenario, kind = 'Kustomization') {
    const status = await entityStatus();
    return status.environments
      .find(e => e.name === scenario)
      ?.objects.find(o => o.kind === kind);
  }

  beforeAll(async () => {
    namespace = await cluster.createNamespace('e2e-status');
    repo = await git.createRepo('e2e-status');
    firstSha = await git.commit(
      repo,
      {
        ...appManifests('nginx:1.27'),
        'catalog-info.yaml': catalogInfo(id),
      },
      'first',
    );
    const labels = (scenario: string) => ({
      'backstage.io/kubernetes-id': id,
      'gitops.backstage.io/environment': scenario,
    });
    const scenarioNamespace = namespace;
    for (const [scenario, options] of Object.entries(scenarios) as Array<
      [Scenario, any]
    >) {
      await applyFluxPair(cluster, git, {
        namespace,
        name: scenario,
        repo,
        password: options.password,
        labels: labels(scenario),
        entityRef: `component:default/${id}`,
        path: options.path,
        kustomization: {
          timeout: options.timeout ?? '1m',
          ...(options.healthChecks
            ? {
                healthChecks: options.healthChecks.map((h: any) => ({
                  ...h,
                  namespace: h.namespace ?? scenarioNamespace,
                })),
              }
            : {}),
          ...(options.dependsOn ? { dependsOn: options.dependsOn } : {}),
          ...(options.suspend ? { suspend: true } : {}),
        },
      });
    }
    await registerComponent(env, repo, id);
  });

  afterAll(async () => {
    if (namespace) {
      await cluster.deleteNamespace(namespace);
    }
  });

  const expected: Record<
    Scenario,
    { state: string; reason?: RegExp; message?: RegExp }
  > = {
    ready: { state: 'Ready', reason: /ReconciliationSucceeded/ },
    'bad-path': {
      state: 'Failed',
      reason: /ArtifactFailed|BuildFailed/,
      message: /path not found/,
    },
    'wrong-password': { state: 'Failed' },
    'health-check': { state: 'Failed', reason: /HealthCheckFailed/ },
    dependency: { state: 'Failed', reason: /DependencyNotReady/ },
    suspended: { state: 'Suspended' },
  };

  it.each(Object.keys(scenarios) as Scenario[])(
    'reports the %s scenario like the Flux CLI would',
    async scenario => {
      // Until its own GitRepository has an artifact, every Kustomization is
      // Failed with ArtifactFailed ("Source is not ready"); wait for the
      // reason the scenario is about, not the first failure.
      const wanted = expected[scenario];
      let last = 'nothing';
      const status = await waitFor(
        `${scenario} to settle in ${wanted.state} (${
          wanted.reason ?? 'any reason'
        })`,
        async () => {
          const found = await objectStatus(scenario);
          last = `${found?.state}/${found?.reason}: ${found?.message}`;
          return found?.state === wanted.state &&
            (wanted.reason ?? /.*/).test(found.reason ?? '') &&
            (wanted.message ?? /.*/).test(found.message ?? '')
            ? found
            : undefined;
        },
        90_000,
      ).catch(error => {
        throw new Error(`${error.message}; last seen ${last}`);
      });
      expect(status.reason ?? '').toMatch(wanted.reason ?? /.*/);
      // flux get: READY = Ready.status, MESSAGE = Ready.message (or
      // "waiting to be reconciled"), SUSPENDED = spec.suspend.
      const raw = await cluster.read<FluxObject>(
        KUSTOMIZE_API,
        'Kustomization',
        namespace,
        scenario,
      );
      const ready = condition(raw, 'Ready');
      expect({
        ready: status.ready,
        message: status.message,
        suspended: status.suspended,
      }).toEqual({
        ready: ready?.status ?? 'Unknown',
        message: ready
          ? (ready.message ?? '').trim()
          : 'waiting to be reconciled',
        suspended: Boolean(raw.spec?.suspend),
      });
    },
  );

  /** This test's objects on GET /objects once every scenario settled. */
  async function settledListing(): Promise<FluxObjectStatus[]> {
    const wanted = Object.keys(scenarios);
    return waitFor(
      'every scenario listed with its settled state',
      async () => {
        const response = await pollPortal('/api/gitops/objects');
        expect(response.status).toBe(200);
        const list: FluxObjectList = await response.json();
        expect(list.clusters.map(c => [c.name, c.state])).toContainEqual([
          'local',
          'ok',
        ]);
        const items = list.items.filter(o => o.namespace === namespace);
        const kustomizations = items.filter(o => o.kind === 'Kustomization');
        const settled = kustomizations.every(
          o => o.state === expected[o.name as Scenario].state,
        );
        return settled &&
          kustomizations.length === wanted.length &&
          items.filter(o => o.kind === 'GitRepository').length === wanted.length
          ? items
          : undefined;
      },
      120_000,
    );
  }

  it('lists every Flux object on GET /objects and on the GitOps page, searchable', async () => {
    const unauthenticated = await fetch(`${backendUrl}/api/gitops/objects`);
    expect(unauthenticated.status).toBe(401);
    const wanted = Object.keys(scenarios).sort();
    const mine = await settledListing();
    expect(
      mine
        .filter(o => o.kind === 'Kustomization')
        .map(o => [o.name, o.cluster, o.state])
        .sort(),
    ).toEqual(
      wanted.map(name => [name, 'local', expected[name as Scenario].state]),
    );

    const browser = await launchBrowser();
    try {
      const page = await browser.newPage({
        viewport: { width: 1400, height: 1000 },
      });
      await signInAsGuest(page, '/gitops');
      await page.getByLabel('Search Flux objects').fill(namespace);
      const rows = page.getByRole('row').filter({ hasText: namespace });
      await waitFor('the 12 objects of this test in the table', async () =>
        (await rows.count()) === 12 ? true : undefined,
      );
      await rows
        .filter({ hasText: 'bad-path' })
        .filter({ hasText: 'Kustomization' })
        .getByText('Failed')
        .waitFor();
      // Search narrows to one object's rows.
      await page.getByLabel('Search Flux objects').fill(`wrong-password`);
      await waitFor('only the wrong-password rows', async () =>
        (await page.getByRole('row').filter({ hasText: namespace }).count()) ===
        2
          ? true
          : undefined,
      );
      await saveScreenshot(page, 'gitops-page-search');
    } finally {
      await browser.close();
    }
  });

  it('counts the objects by state and cluster as GET /objects does, and keeps its filters in the URL', async () => {
    const mine = await settledListing();
    const failing = mine.filter(
      o => o.kind === 'Kustomization' && o.state === 'Failed',
    );
    expect(failing.length).toBeGreaterThan(0);
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage({
        viewport: { width: 1400, height: 1000 },
      });
      // A shared link: filters in the URL apply on opening.
      await signInAsGuest(page, `/gitops?q=${namespace}&kind=Kustomization`);
      const rows = page.getByRole('row').filter({ hasText: namespace });
      await waitFor('only the Kustomizations of this test', async () =>
        (await rows.count()) === Object.keys(scenarios).length
          ? true
          : undefined,
      );
      expect(await page.getByLabel('Search Flux objects').inputValue()).toBe(
        namespace,
      );
      expect(await rows.filter({ hasText: 'GitRepository' }).count()).toBe(0);

      // The counts at the top are the API's. The page reads the list once
      // and the stack moves (other tests' namespaces go away): each try
      // reloads the page and reads both.
      const counts = await waitFor(
        'the counts to match GET /objects',
        async () => {
          await page.reload();
          await page.getByTestId('count-cluster-local').waitFor();
          const shown: Record<string, number> = await page
            .locator('[data-testid^="count-"]')
            .evaluateAll(els =>
              Object.fromEntries(
                els.map(el => [
                  el.getAttribute('data-testid')!.replace(/^count-/, ''),
                  // The number is the label's last element (MUI may suffix
                  // its class names: MuiButton-label-12).
                  Number(
                    el.querySelector('[class*="MuiButton-label"]')
                      ?.lastElementChild?.textContent,
                  ),
                ]),
              ),
            );
          const list: FluxObjectList = await (
            await callPortal('/api/gitops/objects')
          ).json();
          const fromApi: Record<string, number> = {};
          for (const o of list.items) {
            for (const key of [`state-${o.state}`, `cluster-${o.cluster}`]) {
              fromApi[key] = (fromApi[key] ?? 0) + 1;
            }
          }
          const sorted = (counted: Record<string, number>) =>
            JSON.stringify(Object.entries(counted).sort());
          if (sorted(shown) !== sorted(fromApi)) {
            throw new Error(
              `page ${sorted(shown)} but GET /objects ${sorted(fromApi)}`,
            );
          }
          return shown;
        },
        60_000,
      );
      expect(counts['cluster-local']).toBeGreaterThanOrEqual(mine.length);

      // A count is a filter too, added to the URL beside the others, and a
      // reload keeps the view.
      await page.getByTestId('count-state-Failed').click();
      await page.waitForURL(/state=Failed/);
      const params = new URL(page.url()).searchParams;
      expect([params.get('q'), params.get('kind')]).toEqual([
        namespace,
        'Kustomization',
      ]);
      const failingRows = async () =>
        (await rows.count()) === failing.length ? true : undefined;
      await waitFor('only the failing Kustomizations', failingRows);
      await page.reload();
      await page.getByTestId('count-state-Failed').waitFor();
      await waitFor('the same view after a reload', failingRows);
      expect(
        await page
          .getByTestId('count-state-Failed')
          .getAttribute('aria-pressed'),
      ).toBe('true');
      await saveScreenshot(page, 'gitops-page-filtered-url');
    } finally {
      await browser.close();
    }
  });

  it('shows the health of the applied Deployment and unresolved dependencies', async () => {
    const ready = await waitFor('Deployment Healthy', async () => {
      const found = await objectStatus('ready');
      return found?.workloads[0]?.health === 'Healthy' ? found : undefined;
    });
    expect(ready.workloads).toEqual([
      {
        kind: 'Deployment',
        namespace,
        name: 'ready-hello',
        health: 'Healthy',
        ready: '1/1',
      },
    ]);
    const dependency = await objectStatus('dependency');
    expect(dependency?.dependsOn).toEqual([
      { namespace, name: 'does-not-exist' },
    ]);
  });

  it('shows the failing source of the wrong-password environment', async () => {
    const source = await waitFor('GitRepository Failed', async () => {
      const found = await objectStatus('wrong-password', 'GitRepository');
      return found?.state === 'Failed' ? found : undefined;
    });
    expect(source.message).toContain('authentication required');
    const status = await entityStatus();
    expect(
      status.environments.find(e => e.name === 'wrong-password')?.state,
    ).toBe('Failed');
  });

  it('refuses to reconcile a suspended object', async () => {
    const response = await callPortal(
      `${entityPath}/objects/local/Kustomization/${namespace}/suspended/reconcile`,
      { method: 'POST', body: {} },
    );
    expect(response.status).toBe(409);
    expect((await response.json()).error.message).toMatch(
      /is suspended; resume it/,
    );
  });

  it('reconciles a new commit in with its source, and suspends and resumes recording who and why', async () => {
    const secondSha = await git.commit(
      repo,
      appManifests('nginx:1.28'),
      'second',
    );
    const response = await callPortal(
      `${entityPath}/objects/local/Kustomization/${namespace}/ready/reconcile`,
      { method: 'POST', body: { withSource: true } },
    );
    expect(response.status).toBe(200);
    const result: { handled: boolean; status: FluxObjectStatus } =
      await response.json();
    expect(result.handled).toBe(true);
    expect(result.status.revision).toBe(`main@sha1:${secondSha}`);
    expect(firstSha).not.toBe(secondSha);

    const suspend = await callPortal(
      `${entityPath}/objects/local/Kustomization/${namespace}/ready/suspend`,
      { method: 'POST', body: { reason: 'database migration' } },
    );
    expect(suspend.status).toBe(200);
    const suspended = await cluster.read<FluxObject>(
      KUSTOMIZE_API,
      'Kustomization',
      namespace,
      'ready',
    );
    expect(suspended.spec?.suspend).toBe(true);
    expect(suspended.metadata?.annotations).toMatchObject({
      'gitops.backstage.io/suspended-by': 'user:default/guest',
      'gitops.backstage.io/suspend-reason': 'database migration',
    });
    await waitFor('Suspended in the API', async () =>
      (await objectStatus('ready'))?.state === 'Suspended' ? true : undefined,
    );

    const resume = await callPortal(
      `${entityPath}/objects/local/Kustomization/${namespace}/ready/resume`,
      { method: 'POST', body: {} },
    );
    expect(resume.status).toBe(200);
    const resumed = await cluster.read<FluxObject>(
      KUSTOMIZE_API,
      'Kustomization',
      namespace,
      'ready',
    );
    expect(resumed.spec?.suspend).toBe(false);
    expect(
      resumed.metadata?.annotations?.['gitops.backstage.io/suspended-by'],
    ).toBeUndefined();
    expect(
      resumed.metadata?.annotations?.['gitops.backstage.io/resumed-by'],
    ).toBe('user:default/guest');
  });

  it('lists events of an object and its source', async () => {
    const response = await callPortal(
      `${entityPath}/objects/local/Kustomization/${namespace}/ready/events`,
    );
    expect(response.status).toBe(200);
    const { items } = await response.json();
    expect(items.map((e: any) => e.kind)).toEqual(
      expect.arrayContaining(['Kustomization', 'GitRepository']),
    );
  });

  it("refuses acting on an object that is not the entity's", async () => {
    const response = await callPortal(
      `/api/gitops/entities/component/default/example-website/objects/local/Kustomization/${namespace}/ready/suspend`,
      { method: 'POST', body: { reason: 'x' } },
    );
    // The object's entity-ref annotation names this test's entity: the
    // refusal says whose it is and by which annotation.
    expect(response.status).toBe(403);
    const { error } = await response.json();
    expect(error.name).toBe('NotAllowedError');
    expect(error.message).toContain(
      `Kustomization ${namespace}/ready belongs to component:default/${id} (annotation gitops.backstage.io/entity-ref), not to component:default/example-website`,
    );
    const object = await cluster.read<FluxObject>(
      KUSTOMIZE_API,
      'Kustomization',
      namespace,
      'ready',
    );
    expect(object.spec?.suspend).toBeFalsy();
  });
});
