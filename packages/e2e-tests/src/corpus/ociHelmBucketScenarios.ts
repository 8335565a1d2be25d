import { secret, source } from './corpusObjects';
import { Scenario } from './scenario';

/** The other sources: OCIRepository, HelmRepository and HelmChart, Bucket. */
export const ociHelmBucketScenarios: Scenario[] = [
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
];
