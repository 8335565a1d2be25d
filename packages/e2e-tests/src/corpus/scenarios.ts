import type { GitOpsErrorCode } from '@gitops-backstage/plugin-gitops-common';
import { TestGitServer } from '../stack/gitea';
import { FluxObject, TestCluster } from '../stack/kube';
import { KUSTOMIZE_API, SOURCE_API } from '../stack/fluxPair';
import { controlComponent } from './stackControl';

export const HELM_API = 'helm.toolkit.fluxcd.io/v2';

/** What every scenario can use: the namespace and the corpus repository. */
export interface CorpusContext {
  cluster: TestCluster;
  git: TestGitServer;
  namespace: string;
  /** The corpus repository in Gitea. */
  repo: string;
  /** Secret with the right Git credentials. */
  gitSecret: string;
  /** A GitRepository of the corpus repository that is Ready. */
  source: string;
}

/** One failure provoked on the stack, and what a person would call it. */
export interface Scenario {
  /** The fixture's file name and the captured object's name. */
  name: string;
  kind: string;
  /** What was done to break it. */
  description: string;
  expected: {
    code: GitOpsErrorCode;
    /** The broken reference as `Kind/name`, when there is one to name. */
    reference?: string;
  };
  /** Runs before a cluster-wide fault, with the cluster still whole. */
  prepare?(ctx: CorpusContext): Promise<void>;
  provoke(ctx: CorpusContext): Promise<void>;
  /** Until when the failure is still forming (default: Ready=False settles it). */
  settled?(object: FluxObject): boolean;
  /** Cluster-wide faults run one at a time, after the others. */
  clusterWide?: {
    /** Breaks the cluster; returns what puts it back. */
    breakCluster(ctx: CorpusContext): Promise<() => Promise<void>>;
  };
}

export const apiVersionOf: Record<string, string> = {
  Kustomization: KUSTOMIZE_API,
  HelmRelease: HELM_API,
  GitRepository: SOURCE_API,
  OCIRepository: SOURCE_API,
  HelmRepository: SOURCE_API,
  HelmChart: SOURCE_API,
  Bucket: SOURCE_API,
};

const apply = (ctx: CorpusContext, object: Record<string, unknown>) =>
  ctx.cluster.apply(object as any);

function kustomization(
  ctx: CorpusContext,
  name: string,
  spec: Record<string, unknown> = {},
) {
  return apply(ctx, {
    apiVersion: KUSTOMIZE_API,
    kind: 'Kustomization',
    metadata: { name, namespace: ctx.namespace },
    spec: {
      sourceRef: { kind: 'GitRepository', name: ctx.source },
      path: './deploy',
      prune: true,
      interval: '1h',
      retryInterval: '1h',
      targetNamespace: ctx.namespace,
      namePrefix: `${name}-`,
      timeout: '30s',
      ...spec,
    },
  });
}

function helmRelease(
  ctx: CorpusContext,
  name: string,
  spec: Record<string, unknown> = {},
) {
  return apply(ctx, {
    apiVersion: HELM_API,
    kind: 'HelmRelease',
    metadata: { name, namespace: ctx.namespace },
    spec: {
      interval: '1h',
      timeout: '20s',
      chart: {
        spec: {
          chart: './charts/hello',
          sourceRef: { kind: 'GitRepository', name: ctx.source },
        },
      },
      ...spec,
    },
  });
}

function gitRepository(
  ctx: CorpusContext,
  name: string,
  spec: Record<string, unknown> = {},
) {
  return apply(ctx, {
    apiVersion: SOURCE_API,
    kind: 'GitRepository',
    metadata: { name, namespace: ctx.namespace },
    spec: {
      url: ctx.git.repoUrl(ctx.repo),
      ref: { branch: 'main' },
      interval: '1h',
      secretRef: { name: ctx.gitSecret },
      ...spec,
    },
  });
}

function source(
  ctx: CorpusContext,
  kind: string,
  name: string,
  spec: Record<string, unknown>,
) {
  return apply(ctx, {
    apiVersion: SOURCE_API,
    kind,
    metadata: { name, namespace: ctx.namespace },
    spec: { interval: '1h', ...spec },
  });
}

function secret(
  ctx: CorpusContext,
  name: string,
  stringData: Record<string, string>,
  type?: string,
) {
  return apply(ctx, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: ctx.namespace },
    type,
    stringData,
  });
}

const condition = (o: FluxObject, type: string) =>
  o.status?.conditions?.find(c => c.type === type);
const readyFalse = (o: FluxObject) => condition(o, 'Ready')?.status === 'False';
const reasonIs =
  (...reasons: string[]) =>
  (o: FluxObject) =>
    readyFalse(o) && reasons.includes(condition(o, 'Ready')?.reason ?? '');
const helmGaveUp = (o: FluxObject) =>
  readyFalse(o) && condition(o, 'Stalled')?.status === 'True';
const helmFailed = (o: FluxObject) =>
  helmGaveUp(o) ||
  (readyFalse(o) && /Failed$/.test(condition(o, 'Ready')?.reason ?? ''));

async function waitReady(ctx: CorpusContext, kind: string, name: string) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const o = await ctx.cluster.read<FluxObject>(
      apiVersionOf[kind],
      kind,
      ctx.namespace,
      name,
    );
    if (condition(o, 'Ready')?.status === 'True') {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(`${kind} ${name} never became Ready`);
    }
    await new Promise(resolve => setTimeout(resolve, 1000));
  }
}

async function stopComponent(name: string): Promise<() => Promise<void>> {
  await controlComponent('stop', name);
  return () => controlComponent('start', name);
}

export const scenarios: Scenario[] = [
  // ---- Kustomization
  {
    name: 'ks-broken-yaml',
    kind: 'Kustomization',
    description: 'kustomization.yaml in the path is not valid YAML',
    expected: { code: 'YAML_INVALID' },
    provoke: ctx => kustomization(ctx, 'ks-broken-yaml', { path: './broken' }),
  },
  {
    name: 'ks-no-such-path',
    kind: 'Kustomization',
    description: 'spec.path names a directory the repository does not have',
    expected: { code: 'RESOURCE_NOT_FOUND', reference: 'path/./no-such-path' },
    provoke: ctx =>
      kustomization(ctx, 'ks-no-such-path', { path: './no-such-path' }),
  },
  {
    name: 'ks-missing-source',
    kind: 'Kustomization',
    description: 'spec.sourceRef names a GitRepository that does not exist',
    expected: {
      code: 'RESOURCE_NOT_FOUND',
      reference: 'GitRepository/ghost-source',
    },
    provoke: ctx =>
      kustomization(ctx, 'ks-missing-source', {
        sourceRef: { kind: 'GitRepository', name: 'ghost-source' },
      }),
  },
  {
    name: 'ks-failing-source',
    kind: 'Kustomization',
    description: 'its GitRepository cannot authenticate, so it has no artifact',
    expected: {
      code: 'DEPENDENCY_NOT_READY',
      reference: 'GitRepository/ks-failing-source-git',
    },
    provoke: async ctx => {
      await secret(ctx, 'ks-failing-source-auth', {
        username: ctx.git.basicAuth.username,
        password: 'wrong',
      });
      await gitRepository(ctx, 'ks-failing-source-git', {
        secretRef: { name: 'ks-failing-source-auth' },
      });
      await kustomization(ctx, 'ks-failing-source', {
        sourceRef: { kind: 'GitRepository', name: 'ks-failing-source-git' },
      });
    },
  },
  {
    name: 'ks-depends-on-missing',
    kind: 'Kustomization',
    description: 'spec.dependsOn names a Kustomization that does not exist',
    expected: {
      code: 'DEPENDENCY_NOT_READY',
      reference: 'Kustomization/ghost',
    },
    provoke: ctx =>
      kustomization(ctx, 'ks-depends-on-missing', {
        dependsOn: [{ name: 'ghost' }],
      }),
  },
  {
    name: 'ks-depends-on-failing',
    kind: 'Kustomization',
    description: 'spec.dependsOn names a Kustomization whose YAML is broken',
    expected: {
      code: 'DEPENDENCY_NOT_READY',
      reference: 'Kustomization/ks-broken-yaml',
    },
    provoke: ctx =>
      kustomization(ctx, 'ks-depends-on-failing', {
        dependsOn: [{ name: 'ks-broken-yaml' }],
      }),
  },
  {
    name: 'ks-missing-decryption-secret',
    kind: 'Kustomization',
    description:
      'SOPS decryption with spec.decryption.secretRef sops-age missing',
    expected: { code: 'RESOURCE_NOT_FOUND', reference: 'Secret/sops-age' },
    provoke: ctx =>
      kustomization(ctx, 'ks-missing-decryption-secret', {
        decryption: { provider: 'sops', secretRef: { name: 'sops-age' } },
      }),
  },
  {
    name: 'ks-missing-substitute-configmap',
    kind: 'Kustomization',
    description:
      'postBuild.substituteFrom names a ConfigMap that does not exist',
    expected: {
      code: 'RESOURCE_NOT_FOUND',
      reference: 'ConfigMap/cluster-vars',
    },
    provoke: ctx =>
      kustomization(ctx, 'ks-missing-substitute-configmap', {
        path: './substituted',
        postBuild: {
          substituteFrom: [{ kind: 'ConfigMap', name: 'cluster-vars' }],
        },
      }),
  },
  {
    name: 'ks-missing-substitute-secret',
    kind: 'Kustomization',
    description: 'postBuild.substituteFrom names a Secret that does not exist',
    expected: {
      code: 'RESOURCE_NOT_FOUND',
      reference: 'Secret/cluster-secrets',
    },
    provoke: ctx =>
      kustomization(ctx, 'ks-missing-substitute-secret', {
        path: './substituted',
        postBuild: {
          substituteFrom: [{ kind: 'Secret', name: 'cluster-secrets' }],
        },
      }),
  },
  {
    name: 'ks-missing-kubeconfig-secret',
    kind: 'Kustomization',
    description: 'spec.kubeConfig.secretRef names a Secret that does not exist',
    expected: {
      code: 'RESOURCE_NOT_FOUND',
      reference: 'Secret/remote-kubeconfig',
    },
    provoke: ctx =>
      kustomization(ctx, 'ks-missing-kubeconfig-secret', {
        kubeConfig: { secretRef: { name: 'remote-kubeconfig' } },
      }),
  },
  {
    name: 'ks-missing-service-account',
    kind: 'Kustomization',
    description:
      'impersonation: spec.serviceAccountName names no ServiceAccount',
    expected: {
      code: 'RESOURCE_NOT_FOUND',
      reference: 'ServiceAccount/ghost-deployer',
    },
    provoke: ctx =>
      kustomization(ctx, 'ks-missing-service-account', {
        serviceAccountName: 'ghost-deployer',
      }),
  },
  {
    name: 'ks-service-account-without-rbac',
    kind: 'Kustomization',
    description: 'impersonation of a ServiceAccount that has no RoleBinding',
    expected: {
      code: 'INSUFFICIENT_PERMISSIONS',
      reference: 'ServiceAccount/powerless',
    },
    provoke: async ctx => {
      await apply(ctx, {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'powerless', namespace: ctx.namespace },
      });
      await kustomization(ctx, 'ks-service-account-without-rbac', {
        serviceAccountName: 'powerless',
      });
    },
  },
  {
    name: 'ks-invalid-manifest',
    kind: 'Kustomization',
    description: 'a Deployment with replicas -1, rejected by the API server',
    expected: {
      code: 'YAML_INVALID',
      reference: 'Deployment/ks-invalid-manifest-hello',
    },
    provoke: ctx =>
      kustomization(ctx, 'ks-invalid-manifest', { path: './invalid' }),
  },
  {
    name: 'ks-immutable-field',
    kind: 'Kustomization',
    description:
      'a Deployment whose spec.selector changed after it was applied',
    expected: {
      code: 'CONFLICT',
      reference: 'Deployment/ks-immutable-field-hello',
    },
    provoke: async ctx => {
      await kustomization(ctx, 'ks-immutable-field', {
        path: './immutable-v1',
      });
      await waitReady(ctx, 'Kustomization', 'ks-immutable-field');
      await kustomization(ctx, 'ks-immutable-field', {
        path: './immutable-v2',
      });
    },
    settled: o =>
      readyFalse(o) && /immutable/.test(condition(o, 'Ready')?.message ?? ''),
  },
  {
    name: 'ks-unknown-kind',
    kind: 'Kustomization',
    description: 'a manifest of a kind whose CRD is not installed',
    expected: {
      code: 'RESOURCE_NOT_FOUND',
      reference: 'CustomResourceDefinition/Widget',
    },
    provoke: ctx =>
      kustomization(ctx, 'ks-unknown-kind', { path: './unknown-kind' }),
  },
  {
    name: 'ks-missing-namespace',
    kind: 'Kustomization',
    description: 'a manifest for a namespace that does not exist',
    expected: {
      code: 'RESOURCE_NOT_FOUND',
      reference: 'Namespace/e2e-corpus-absent',
    },
    provoke: ctx =>
      kustomization(ctx, 'ks-missing-namespace', {
        path: './other-namespace',
        targetNamespace: undefined,
        namePrefix: undefined,
      }),
  },
  {
    name: 'ks-wait-timeout',
    kind: 'Kustomization',
    description: 'wait: true on a Deployment whose pods never schedule',
    expected: {
      code: 'HEALTH_CHECK_FAILED',
      reference: 'Deployment/ks-wait-timeout-hello',
    },
    provoke: ctx =>
      kustomization(ctx, 'ks-wait-timeout', {
        path: './never-ready',
        wait: true,
        timeout: '10s',
      }),
    settled: reasonIs('HealthCheckFailed'),
  },
  {
    name: 'ks-health-check-missing-object',
    kind: 'Kustomization',
    description: 'spec.healthChecks names a Deployment nothing creates',
    expected: {
      code: 'HEALTH_CHECK_FAILED',
      reference: 'Deployment/ghost-app',
    },
    provoke: ctx =>
      kustomization(ctx, 'ks-health-check-missing-object', {
        healthChecks: [
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            name: 'ghost-app',
            namespace: ctx.namespace,
          },
        ],
        timeout: '10s',
      }),
    settled: reasonIs('HealthCheckFailed'),
  },

  // ---- GitRepository
  {
    name: 'git-wrong-password',
    kind: 'GitRepository',
    description: 'the auth Secret holds a wrong password',
    expected: {
      code: 'GIT_AUTH_FAILED',
      reference: 'Secret/git-wrong-password-auth',
    },
    provoke: async ctx => {
      await secret(ctx, 'git-wrong-password-auth', {
        username: ctx.git.basicAuth.username,
        password: 'not-the-password',
      });
      await gitRepository(ctx, 'git-wrong-password', {
        secretRef: { name: 'git-wrong-password-auth' },
      });
    },
  },
  {
    name: 'git-missing-secret',
    kind: 'GitRepository',
    description: 'spec.secretRef names a Secret that does not exist',
    expected: {
      code: 'RESOURCE_NOT_FOUND',
      reference: 'Secret/git-ghost-auth',
    },
    provoke: ctx =>
      gitRepository(ctx, 'git-missing-secret', {
        secretRef: { name: 'git-ghost-auth' },
      }),
  },
  {
    name: 'git-no-credentials',
    kind: 'GitRepository',
    description: 'a private repository without spec.secretRef',
    expected: { code: 'GIT_AUTH_FAILED' },
    provoke: ctx =>
      gitRepository(ctx, 'git-no-credentials', { secretRef: undefined }),
  },
  {
    name: 'git-no-such-repository',
    kind: 'GitRepository',
    description: 'spec.url names a repository the Git host does not have',
    expected: { code: 'GIT_CLONE_FAILED' },
    provoke: ctx =>
      gitRepository(ctx, 'git-no-such-repository', {
        url: ctx.git.repoUrl('no-such-repository'),
      }),
  },
  {
    name: 'git-connection-refused',
    kind: 'GitRepository',
    description: 'spec.url points at a port where nothing listens',
    expected: { code: 'GIT_CLONE_FAILED' },
    provoke: ctx =>
      gitRepository(ctx, 'git-connection-refused', {
        url: 'http://127.0.0.1:1/gitops/app.git',
        secretRef: undefined,
      }),
  },
  {
    name: 'git-unknown-host',
    kind: 'GitRepository',
    description: 'spec.url names a host that does not resolve',
    expected: { code: 'GIT_CLONE_FAILED' },
    provoke: ctx =>
      gitRepository(ctx, 'git-unknown-host', {
        url: 'http://git.no-such-host.invalid/gitops/app.git',
        secretRef: undefined,
      }),
  },
  {
    name: 'git-missing-branch',
    kind: 'GitRepository',
    description: 'spec.ref.branch names a branch the repository does not have',
    expected: {
      code: 'RESOURCE_NOT_FOUND',
      reference: 'branch/no-such-branch',
    },
    provoke: ctx =>
      gitRepository(ctx, 'git-missing-branch', {
        ref: { branch: 'no-such-branch' },
      }),
  },
  {
    name: 'git-missing-tag',
    kind: 'GitRepository',
    description: 'spec.ref.tag names a tag the repository does not have',
    expected: { code: 'RESOURCE_NOT_FOUND', reference: 'tag/v9.9.9' },
    provoke: ctx =>
      gitRepository(ctx, 'git-missing-tag', { ref: { tag: 'v9.9.9' } }),
  },
  {
    name: 'git-no-matching-semver',
    kind: 'GitRepository',
    description: 'spec.ref.semver matches no tag',
    expected: { code: 'RESOURCE_NOT_FOUND', reference: 'semver/>=5.0.0' },
    provoke: ctx =>
      gitRepository(ctx, 'git-no-matching-semver', {
        ref: { semver: '>=5.0.0' },
      }),
  },
  {
    name: 'git-missing-commit',
    kind: 'GitRepository',
    description: 'spec.ref.commit names a commit the branch does not have',
    expected: {
      code: 'RESOURCE_NOT_FOUND',
      reference: 'commit/0123456789abcdef0123456789abcdef01234567',
    },
    provoke: ctx =>
      gitRepository(ctx, 'git-missing-commit', {
        ref: {
          branch: 'main',
          commit: '0123456789abcdef0123456789abcdef01234567',
        },
      }),
  },
  {
    name: 'git-clone-timeout',
    kind: 'GitRepository',
    description: 'spec.timeout of 1ms: the clone cannot finish in time',
    expected: { code: 'TIMEOUT', reference: 'spec.timeout/1ms' },
    provoke: ctx => gitRepository(ctx, 'git-clone-timeout', { timeout: '1ms' }),
  },
  {
    name: 'git-missing-proxy-secret',
    kind: 'GitRepository',
    description: 'spec.proxySecretRef names a Secret that does not exist',
    expected: { code: 'RESOURCE_NOT_FOUND', reference: 'Secret/ghost-proxy' },
    provoke: ctx =>
      gitRepository(ctx, 'git-missing-proxy-secret', {
        proxySecretRef: { name: 'ghost-proxy' },
      }),
  },

  // ---- OCIRepository
  {
    name: 'oci-connection-refused',
    kind: 'OCIRepository',
    description: 'spec.url points at a registry port where nothing listens',
    expected: { code: 'SOURCE_FETCH_FAILED' },
    provoke: ctx =>
      source(ctx, 'OCIRepository', 'oci-connection-refused', {
        url: 'oci://127.0.0.1:1/gitops/manifests',
        ref: { tag: 'latest' },
        insecure: true,
      }),
  },
  {
    name: 'oci-missing-artifact',
    kind: 'OCIRepository',
    description: 'an artifact that the (Gitea) registry does not have',
    expected: { code: 'RESOURCE_NOT_FOUND', reference: 'tag/latest' },
    provoke: ctx =>
      source(ctx, 'OCIRepository', 'oci-missing-artifact', {
        url: `oci://${
          new URL(ctx.git.repoUrl('x')).host
        }/gitops/no-such-artifact`,
        ref: { tag: 'latest' },
        insecure: true,
      }),
  },
  {
    name: 'oci-wrong-credentials',
    kind: 'OCIRepository',
    description: 'registry credentials with a wrong password',
    expected: {
      code: 'SOURCE_AUTH_FAILED',
      reference: 'Secret/oci-wrong-auth',
    },
    provoke: async ctx => {
      const host = new URL(ctx.git.repoUrl('x')).host;
      const auth = Buffer.from(`${ctx.git.basicAuth.username}:wrong`).toString(
        'base64',
      );
      await secret(
        ctx,
        'oci-wrong-auth',
        {
          '.dockerconfigjson': JSON.stringify({
            auths: { [host]: { auth } },
          }),
        },
        'kubernetes.io/dockerconfigjson',
      );
      await source(ctx, 'OCIRepository', 'oci-wrong-credentials', {
        url: `oci://${host}/gitops/manifests`,
        ref: { tag: 'latest' },
        insecure: true,
        secretRef: { name: 'oci-wrong-auth' },
      });
    },
  },
  {
    name: 'oci-missing-secret',
    kind: 'OCIRepository',
    description: 'spec.secretRef names a Secret that does not exist',
    expected: {
      code: 'RESOURCE_NOT_FOUND',
      reference: 'Secret/oci-ghost-auth',
    },
    provoke: ctx =>
      source(ctx, 'OCIRepository', 'oci-missing-secret', {
        url: 'oci://127.0.0.1:1/gitops/manifests',
        ref: { tag: 'latest' },
        insecure: true,
        secretRef: { name: 'oci-ghost-auth' },
      }),
  },

  // ---- HelmRepository and HelmChart
  {
    name: 'helmrepo-connection-refused',
    kind: 'HelmRepository',
    description: 'spec.url points at a port where nothing listens',
    expected: { code: 'SOURCE_FETCH_FAILED' },
    provoke: ctx =>
      source(ctx, 'HelmRepository', 'helmrepo-connection-refused', {
        url: 'http://127.0.0.1:1/charts',
      }),
  },
  {
    name: 'helmrepo-no-index',
    kind: 'HelmRepository',
    description: 'spec.url answers 404 for index.yaml',
    expected: { code: 'SOURCE_FETCH_FAILED' },
    provoke: ctx =>
      source(ctx, 'HelmRepository', 'helmrepo-no-index', {
        url: `http://${
          new URL(ctx.git.repoUrl('x')).host
        }/no-such-helm-repository`,
      }),
  },
  {
    name: 'helmrepo-missing-secret',
    kind: 'HelmRepository',
    description: 'spec.secretRef names a Secret that does not exist',
    expected: {
      code: 'RESOURCE_NOT_FOUND',
      reference: 'Secret/helm-ghost-auth',
    },
    provoke: ctx =>
      source(ctx, 'HelmRepository', 'helmrepo-missing-secret', {
        url: 'http://127.0.0.1:1/charts',
        secretRef: { name: 'helm-ghost-auth' },
      }),
  },
  {
    name: 'helmchart-no-such-chart-path',
    kind: 'HelmChart',
    description: 'a chart path the GitRepository does not have',
    expected: {
      code: 'RESOURCE_NOT_FOUND',
      reference: 'path/./charts/nothing',
    },
    provoke: ctx =>
      source(ctx, 'HelmChart', 'helmchart-no-such-chart-path', {
        chart: './charts/nothing',
        sourceRef: { kind: 'GitRepository', name: ctx.source },
      }),
  },
  {
    name: 'helmchart-invalid-chart',
    kind: 'HelmChart',
    description: 'a Chart.yaml without a version',
    expected: { code: 'YAML_INVALID' },
    provoke: ctx =>
      source(ctx, 'HelmChart', 'helmchart-invalid-chart', {
        chart: './charts/broken',
        sourceRef: { kind: 'GitRepository', name: ctx.source },
      }),
  },
  {
    name: 'helmchart-failing-repository',
    kind: 'HelmChart',
    description: 'a chart from a HelmRepository that cannot be fetched',
    expected: {
      code: 'DEPENDENCY_NOT_READY',
      reference: 'HelmRepository/helmrepo-connection-refused',
    },
    provoke: ctx =>
      source(ctx, 'HelmChart', 'helmchart-failing-repository', {
        chart: 'hello',
        sourceRef: {
          kind: 'HelmRepository',
          name: 'helmrepo-connection-refused',
        },
      }),
  },
  {
    name: 'helmchart-missing-repository',
    kind: 'HelmChart',
    description: 'spec.sourceRef names a HelmRepository that does not exist',
    expected: {
      code: 'RESOURCE_NOT_FOUND',
      reference: 'HelmRepository/ghost-charts',
    },
    provoke: ctx =>
      source(ctx, 'HelmChart', 'helmchart-missing-repository', {
        chart: 'hello',
        sourceRef: { kind: 'HelmRepository', name: 'ghost-charts' },
      }),
  },

  // ---- Bucket
  {
    name: 'bucket-connection-refused',
    kind: 'Bucket',
    description: 'spec.endpoint where nothing listens',
    expected: { code: 'SOURCE_FETCH_FAILED' },
    provoke: ctx =>
      source(ctx, 'Bucket', 'bucket-connection-refused', {
        provider: 'generic',
        bucketName: 'manifests',
        endpoint: '127.0.0.1:1',
        insecure: true,
      }),
  },
  {
    name: 'bucket-missing-secret',
    kind: 'Bucket',
    description: 'spec.secretRef names a Secret that does not exist',
    expected: {
      code: 'RESOURCE_NOT_FOUND',
      reference: 'Secret/bucket-ghost-keys',
    },
    provoke: ctx =>
      source(ctx, 'Bucket', 'bucket-missing-secret', {
        provider: 'generic',
        bucketName: 'manifests',
        endpoint: '127.0.0.1:1',
        insecure: true,
        secretRef: { name: 'bucket-ghost-keys' },
      }),
  },

  // ---- HelmRelease
  {
    name: 'hr-install-timeout',
    kind: 'HelmRelease',
    description: 'install waits for pods that never schedule',
    expected: { code: 'TIMEOUT' },
    provoke: ctx =>
      helmRelease(ctx, 'hr-install-timeout', {
        timeout: '10s',
        values: { nodeSelector: { 'e2e.gitops/no-such-node': 'true' } },
      }),
    settled: helmFailed,
  },
  {
    name: 'hr-install-retries-exhausted',
    kind: 'HelmRelease',
    description: 'install remediation retried once, then gave up',
    expected: { code: 'TIMEOUT' },
    provoke: ctx =>
      helmRelease(ctx, 'hr-install-retries-exhausted', {
        timeout: '5s',
        install: { remediation: { retries: 1 } },
        values: { nodeSelector: { 'e2e.gitops/no-such-node': 'true' } },
      }),
    settled: helmGaveUp,
  },
  {
    name: 'hr-install-conflict',
    kind: 'HelmRelease',
    description: 'a Deployment of the same name exists, not owned by Helm',
    expected: { code: 'CONFLICT', reference: 'Deployment/hr-install-conflict' },
    provoke: async ctx => {
      await apply(ctx, {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'hr-install-conflict', namespace: ctx.namespace },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'squatter' } },
          template: {
            metadata: { labels: { app: 'squatter' } },
            spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
          },
        },
      });
      await helmRelease(ctx, 'hr-install-conflict');
    },
    settled: helmFailed,
  },
  {
    name: 'hr-render-error',
    kind: 'HelmRelease',
    description: 'values leave out what the chart requires (template error)',
    expected: { code: 'YAML_INVALID' },
    provoke: ctx =>
      helmRelease(ctx, 'hr-render-error', { values: { image: '' } }),
    settled: helmFailed,
  },
  {
    name: 'hr-invalid-manifest',
    kind: 'HelmRelease',
    description: 'values render a Deployment with replicas -1',
    expected: {
      code: 'YAML_INVALID',
      reference: 'Deployment/hr-invalid-manifest',
    },
    provoke: ctx =>
      helmRelease(ctx, 'hr-invalid-manifest', { values: { replicas: -1 } }),
    settled: helmFailed,
  },
  {
    name: 'hr-upgrade-immutable',
    kind: 'HelmRelease',
    description: 'an upgrade changes the Deployment selector',
    expected: {
      code: 'CONFLICT',
      reference: 'Deployment/hr-upgrade-immutable',
    },
    provoke: async ctx => {
      await helmRelease(ctx, 'hr-upgrade-immutable');
      await waitReady(ctx, 'HelmRelease', 'hr-upgrade-immutable');
      await helmRelease(ctx, 'hr-upgrade-immutable', {
        values: { selectorSuffix: '-v2' },
      });
    },
    settled: o =>
      readyFalse(o) && /immutable/.test(condition(o, 'Ready')?.message ?? ''),
  },
  {
    name: 'hr-upgrade-timeout-rollback',
    kind: 'HelmRelease',
    description: 'an upgrade times out and remediation rolls it back',
    expected: { code: 'TIMEOUT' },
    provoke: async ctx => {
      await helmRelease(ctx, 'hr-upgrade-timeout-rollback', { timeout: '10s' });
      await waitReady(ctx, 'HelmRelease', 'hr-upgrade-timeout-rollback');
      await helmRelease(ctx, 'hr-upgrade-timeout-rollback', {
        timeout: '10s',
        upgrade: { remediation: { retries: 1, remediateLastFailure: true } },
        values: { nodeSelector: { 'e2e.gitops/no-such-node': 'true' } },
      });
    },
    settled: helmGaveUp,
  },
  {
    name: 'hr-test-failure',
    kind: 'HelmRelease',
    description: 'the chart test pod never completes',
    expected: {
      code: 'HEALTH_CHECK_FAILED',
      reference: 'Pod/hr-test-failure-test',
    },
    provoke: ctx =>
      helmRelease(ctx, 'hr-test-failure', {
        timeout: '10s',
        test: { enable: true },
        values: { withTest: true },
      }),
    settled: o =>
      readyFalse(o) &&
      ['TestFailed'].includes(condition(o, 'Ready')?.reason ?? ''),
  },
  {
    name: 'hr-missing-values-secret',
    kind: 'HelmRelease',
    description: 'spec.valuesFrom names a Secret that does not exist',
    expected: { code: 'RESOURCE_NOT_FOUND', reference: 'Secret/hello-values' },
    provoke: ctx =>
      helmRelease(ctx, 'hr-missing-values-secret', {
        valuesFrom: [{ kind: 'Secret', name: 'hello-values' }],
      }),
  },
  {
    name: 'hr-missing-values-configmap',
    kind: 'HelmRelease',
    description: 'spec.valuesFrom names a ConfigMap that does not exist',
    expected: {
      code: 'RESOURCE_NOT_FOUND',
      reference: 'ConfigMap/hello-settings',
    },
    provoke: ctx =>
      helmRelease(ctx, 'hr-missing-values-configmap', {
        valuesFrom: [{ kind: 'ConfigMap', name: 'hello-settings' }],
      }),
  },
  {
    name: 'hr-missing-values-key',
    kind: 'HelmRelease',
    description: 'spec.valuesFrom names a key the Secret does not have',
    expected: {
      code: 'RESOURCE_NOT_FOUND',
      reference: 'Secret/hello-values-keyless',
    },
    provoke: async ctx => {
      await secret(ctx, 'hello-values-keyless', { other: 'a: b' });
      await helmRelease(ctx, 'hr-missing-values-key', {
        valuesFrom: [{ kind: 'Secret', name: 'hello-values-keyless' }],
      });
    },
  },
  {
    name: 'hr-missing-source',
    kind: 'HelmRelease',
    description:
      'the chart sourceRef names a GitRepository that does not exist',
    expected: {
      code: 'RESOURCE_NOT_FOUND',
      reference: 'GitRepository/ghost-charts-git',
    },
    provoke: ctx =>
      helmRelease(ctx, 'hr-missing-source', {
        chart: {
          spec: {
            chart: './charts/hello',
            sourceRef: { kind: 'GitRepository', name: 'ghost-charts-git' },
          },
        },
      }),
  },
  {
    name: 'hr-missing-service-account',
    kind: 'HelmRelease',
    description:
      'impersonation: spec.serviceAccountName names no ServiceAccount',
    expected: {
      code: 'RESOURCE_NOT_FOUND',
      reference: 'ServiceAccount/ghost-helm-deployer',
    },
    provoke: ctx =>
      helmRelease(ctx, 'hr-missing-service-account', {
        serviceAccountName: 'ghost-helm-deployer',
      }),
  },
  {
    name: 'hr-depends-on-missing',
    kind: 'HelmRelease',
    description: 'spec.dependsOn names a HelmRelease that does not exist',
    expected: {
      code: 'DEPENDENCY_NOT_READY',
      reference: 'HelmRelease/ghost-release',
    },
    provoke: ctx =>
      helmRelease(ctx, 'hr-depends-on-missing', {
        dependsOn: [{ name: 'ghost-release' }],
      }),
  },

  // ---- Cluster-wide: one at a time
  {
    name: 'ks-kustomize-controller-stopped',
    kind: 'Kustomization',
    description:
      'kustomize-controller is stopped: a new Kustomization stays unreconciled',
    expected: {
      code: 'CONTROLLER_UNHEALTHY',
      reference: 'Deployment/kustomize-controller',
    },
    provoke: ctx => kustomization(ctx, 'ks-kustomize-controller-stopped'),
    settled: o => !o.status?.conditions?.length,
    clusterWide: { breakCluster: () => stopComponent('kustomize-controller') },
  },
  {
    name: 'hr-helm-controller-stopped',
    kind: 'HelmRelease',
    description:
      'helm-controller is stopped: a new HelmRelease stays unreconciled',
    expected: {
      code: 'CONTROLLER_UNHEALTHY',
      reference: 'Deployment/helm-controller',
    },
    provoke: ctx => helmRelease(ctx, 'hr-helm-controller-stopped'),
    settled: o => !o.status?.conditions?.length,
    clusterWide: { breakCluster: () => stopComponent('helm-controller') },
  },
  {
    name: 'ks-source-controller-stopped',
    kind: 'Kustomization',
    description:
      'source-controller (the artifact server) is stopped while a Kustomization reconciles',
    expected: {
      code: 'CONTROLLER_UNHEALTHY',
      reference: 'Deployment/source-controller',
    },
    prepare: async ctx => {
      await kustomization(ctx, 'ks-source-controller-stopped');
      await waitReady(ctx, 'Kustomization', 'ks-source-controller-stopped');
    },
    provoke: async ctx => {
      await ctx.cluster.mergePatch(
        KUSTOMIZE_API,
        'Kustomization',
        ctx.namespace,
        'ks-source-controller-stopped',
        {
          metadata: {
            annotations: {
              'reconcile.fluxcd.io/requestedAt': new Date().toISOString(),
            },
          },
        },
      );
    },
    settled: reasonIs('ArtifactFailed'),
    clusterWide: { breakCluster: () => stopComponent('source-controller') },
  },
];

/**
 * Captured right after source-controller is back: the Kustomization still
 * shows the failed download while every controller is Available again, as
 * after a passing network fault.
 */
export const artifactAfterRecovery: Omit<Scenario, 'provoke'> = {
  name: 'ks-artifact-download-failed',
  kind: 'Kustomization',
  description:
    'the artifact download failed (source-controller unreachable); the controllers are Available again',
  expected: { code: 'ARTIFACT_UNREACHABLE' },
};
