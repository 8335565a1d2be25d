import {
  ApiextensionsV1Api,
  V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { Browser } from 'playwright-core';
import {
  EntityGitOpsStatus,
  FluxObjectStatus,
  HealthFinding,
} from '@gitops-backstage/plugin-gitops-common';
import { launchBrowser, saveScreenshot, signInAsGuest } from './browser';
import { corpusRepository } from './corpus/repository';
import { HELM_API } from './corpus/scenarios';
import { catalogInfo, registerComponent } from './portal/gitopsEntity';
import { findingFor, latestReport } from './portal/healthApi';
import { callPortal } from './portal/portalApi';
import { KUSTOMIZE_API, SOURCE_API } from './stack/fluxPair';
import { TestGitServer } from './stack/gitea';
import { FluxObject, TestCluster, waitFor } from './stack/kube';
import { readStackEnv } from './stack/stackEnv';

/**
 * Each of the ten seed error codes, provoked on the real stack and seen
 * where a person looks: the health report (POST health/run, then the
 * stored GET health) and the entity's GitOps tab (its status API, the
 * findings the tab shows, and once in Chromium).
 */

jest.setTimeout(300_000);

const env = readStackEnv();
const cluster = new TestCluster(env);
const git = new TestGitServer(env);
const id = `e2e-codes-${Date.now().toString(36).slice(-5)}`;
const labels = { 'backstage.io/kubernetes-id': id };

interface Case {
  code: string;
  kind: string;
  name: string;
  /** Which check must report it, when two do. */
  check?: string;
  /** What the finding must say beyond its code. */
  expect(finding: HealthFinding, namespace: string): void;
}

const cases: Case[] = [
  {
    code: 'GIT_AUTH_FAILED',
    kind: 'GitRepository',
    name: 'codes-auth',
    expect: f => expect(f.evidence).toMatch(/401|authentication/i),
  },
  {
    code: 'GIT_CLONE_FAILED',
    kind: 'GitRepository',
    name: 'codes-clone',
    expect: f => expect(f.evidence).toMatch(/404|not found/i),
  },
  {
    code: 'YAML_INVALID',
    kind: 'Kustomization',
    name: 'codes-yaml',
    expect: f => expect(f.evidence).toMatch(/reason BuildFailed/),
  },
  {
    code: 'RESOURCE_NOT_FOUND',
    kind: 'Kustomization',
    name: 'codes-sops',
    expect: (f, ns) => {
      expect(f.reference).toMatchObject({ kind: 'Secret', name: 'sops-age' });
      expect(f.cause).toContain(
        `decryption Secret sops-age not found in namespace ${ns}`,
      );
    },
  },
  {
    code: 'DEPENDENCY_NOT_READY',
    kind: 'Kustomization',
    name: 'codes-dependent',
    check: 'sync',
    expect: f =>
      expect(f.cause).toMatch(
        /codes-yaml \(spec\.dependsOn\), which is not Ready/,
      ),
  },
  {
    code: 'HEALTH_CHECK_FAILED',
    kind: 'Kustomization',
    name: 'codes-health',
    expect: f =>
      expect(f.reference).toMatchObject({
        kind: 'Deployment',
        name: 'codes-health-hello',
      }),
  },
  {
    code: 'TIMEOUT',
    kind: 'HelmRelease',
    name: 'codes-timeout',
    expect: f => expect(f.cause).toMatch(/did not finish within spec\.timeout/),
  },
  {
    code: 'INSUFFICIENT_PERMISSIONS',
    kind: 'Kustomization',
    name: 'codes-rbac',
    expect: f =>
      expect(f.reference).toMatchObject({
        kind: 'ServiceAccount',
        name: 'powerless',
      }),
  },
  {
    code: 'CONFLICT',
    kind: 'Kustomization',
    name: 'codes-immutable',
    expect: f => {
      expect(f.cause).toMatch(
        /immutable field of Deployment codes-immutable-hello/,
      );
      expect(f.fix[0]).toMatch(/force: true/);
    },
  },
];

describe('the ten seed error codes on the real stack', () => {
  let namespace: string;
  let repo: string;
  const crds = cluster.config.makeApiClient(ApiextensionsV1Api);
  let removedCrd: V1CustomResourceDefinition | undefined;

  const kustomization = (name: string, spec: Record<string, unknown>) =>
    cluster.apply({
      apiVersion: KUSTOMIZE_API,
      kind: 'Kustomization',
      metadata: { name, namespace, labels },
      spec: {
        sourceRef: { kind: 'GitRepository', name: 'codes-source' },
        path: './deploy',
        prune: true,
        interval: '1h',
        retryInterval: '1h',
        targetNamespace: namespace,
        namePrefix: `${name}-`,
        timeout: '30s',
        ...spec,
      },
    } as FluxObject);

  const gitRepository = (name: string, secret: string, repoName = repo) =>
    cluster.apply({
      apiVersion: SOURCE_API,
      kind: 'GitRepository',
      metadata: { name, namespace, labels },
      spec: {
        url: git.repoUrl(repoName),
        ref: { branch: 'main' },
        interval: '1h',
        secretRef: { name: secret },
      },
    } as FluxObject);

  const secret = (name: string, password: string) =>
    cluster.apply({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace },
      stringData: { username: git.basicAuth.username, password },
    } as any);

  const isReady = async (apiVersion: string, kind: string, name: string) => {
    const o = await cluster.read<FluxObject>(apiVersion, kind, namespace, name);
    return o.status?.conditions?.some(
      c => c.type === 'Ready' && c.status === 'True',
    )
      ? true
      : undefined;
  };

  async function entityObjects(): Promise<FluxObjectStatus[]> {
    const response = await callPortal(
      `/api/gitops/entities/component/default/${id}/status`,
    );
    expect(response.status).toBe(200);
    const status: EntityGitOpsStatus = await response.json();
    return status.environments.flatMap(e => e.objects);
  }

  beforeAll(async () => {
    namespace = await cluster.createNamespace('e2e-codes');
    repo = await git.createRepo('e2e-codes');
    await git.commit(
      repo,
      { ...corpusRepository(), 'catalog-info.yaml': catalogInfo(id) },
      'manifests with one fault per directory',
    );
    await secret('codes-git', git.basicAuth.password);
    await secret('codes-wrong', 'not-the-password');
    await gitRepository('codes-source', 'codes-git');
    await waitFor('the GitRepository Ready', () =>
      isReady(SOURCE_API, 'GitRepository', 'codes-source'),
    );
    await cluster.apply({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'powerless', namespace },
    } as any);

    await Promise.all([
      gitRepository('codes-auth', 'codes-wrong'),
      gitRepository('codes-clone', 'codes-git', 'no-such-repository'),
      kustomization('codes-yaml', { path: './broken' }),
      kustomization('codes-sops', {
        decryption: { provider: 'sops', secretRef: { name: 'sops-age' } },
      }),
      kustomization('codes-dependent', { dependsOn: [{ name: 'codes-yaml' }] }),
      kustomization('codes-health', {
        path: './never-ready',
        wait: true,
        timeout: '10s',
      }),
      cluster.apply({
        apiVersion: HELM_API,
        kind: 'HelmRelease',
        metadata: { name: 'codes-timeout', namespace, labels },
        spec: {
          interval: '1h',
          timeout: '10s',
          chart: {
            spec: {
              chart: './charts/hello',
              sourceRef: { kind: 'GitRepository', name: 'codes-source' },
            },
          },
          values: { nodeSelector: { 'e2e.gitops/no-such-node': 'true' } },
        },
      } as FluxObject),
      kustomization('codes-rbac', { serviceAccountName: 'powerless' }),
      (async () => {
        // Applied once, then its Deployment's selector changes.
        await kustomization('codes-immutable', { path: './immutable-v1' });
        await waitFor(
          'codes-immutable Ready',
          () => isReady(KUSTOMIZE_API, 'Kustomization', 'codes-immutable'),
          120_000,
        );
        await kustomization('codes-immutable', { path: './immutable-v2' });
      })(),
      registerComponent(env, repo, id),
    ]);
  });

  afterEach(async () => {
    // A removed CRD comes back, whatever the test did; and is checked back.
    if (removedCrd) {
      const { metadata, spec } = removedCrd;
      removedCrd = undefined;
      await crds
        .createCustomResourceDefinition({
          body: {
            metadata: {
              name: metadata!.name,
              labels: metadata!.labels,
              annotations: metadata!.annotations,
            },
            spec,
          } as V1CustomResourceDefinition,
        })
        .catch(() => undefined);
      // Throws (and fails the test) when it does not come back.
      await waitFor('the CRD Established again', async () =>
        (
          await crds.readCustomResourceDefinition({ name: metadata!.name! })
        ).status?.conditions?.some(
          c => c.type === 'Established' && c.status === 'True',
        )
          ? true
          : undefined,
      );
    }
  });

  afterAll(async () => {
    if (namespace) {
      await cluster.deleteNamespace(namespace);
    }
  });

  it.each(cases)(
    '$code: provoked, in the health report and on the entity’s tab',
    async c => {
      const isIt = (f: HealthFinding) =>
        f.code === c.code &&
        f.object?.kind === c.kind &&
        f.object?.namespace === namespace &&
        f.object?.name === c.name &&
        (!c.check || f.check === c.check);
      const finding = await findingFor(`${c.code} for ${c.name}`, isIt);
      c.expect(finding, namespace);
      expect(finding.kubernetesId).toBe(id);

      // Stored: GET health answers it too.
      expect((await latestReport()).findings.filter(isIt)).not.toEqual([]);
      // The tab's status API lists the object as failed, and the tab
      // shows the report's findings about the entity's objects.
      // The probe can find a Git failure before source-controller's own
      // retry marks the object failed: wait for the controller too.
      const state = await waitFor(
        `${c.kind} ${c.name} Failed in the entity's status`,
        async () => {
          const object = (await entityObjects()).find(
            o => o.kind === c.kind && o.name === c.name,
          );
          return object?.state === 'Failed' ? object.state : undefined;
        },
        60_000,
      ).catch(() => undefined);
      expect(state).toBe('Failed');
    },
  );

  it('FLUX_NOT_INSTALLED: a removed CRD, in the report and on the tab in Chromium with every other code', async () => {
    const name = 'buckets.source.toolkit.fluxcd.io';
    removedCrd = await crds.readCustomResourceDefinition({ name });
    await crds.deleteCustomResourceDefinition({ name });
    const finding = await findingFor(
      'FLUX_NOT_INSTALLED',
      f => f.code === 'FLUX_NOT_INSTALLED',
    );
    expect(finding.evidence).toBe(`missing CustomResourceDefinitions: ${name}`);
    expect(finding.severity).toBe('critical');
    expect((await latestReport()).findings.map(f => f.code)).toEqual(
      expect.arrayContaining(['FLUX_NOT_INSTALLED', ...cases.map(c => c.code)]),
    );

    let browser: Browser | undefined;
    try {
      browser = await launchBrowser();
      const page = await browser.newPage({
        viewport: { width: 1400, height: 1400 },
      });
      await signInAsGuest(page, `/catalog/default/component/${id}/gitops`);
      const health = page.locator('text=Health').first();
      await health.waitFor({ timeout: 60_000 });
      for (const code of ['FLUX_NOT_INSTALLED', ...cases.map(c => c.code)]) {
        await page
          .getByText(code, { exact: true })
          .first()
          .waitFor({ timeout: 30_000 });
      }
      await saveScreenshot(page, 'gitops-tab-error-codes');
    } finally {
      await browser?.close();
    }
  });
});
