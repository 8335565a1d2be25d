import { apply, helmRelease, secret } from './corpusObjects';
import {
  condition,
  helmFailed,
  helmGaveUp,
  helmRetrying,
  readyFalse,
  waitReady,
} from './readiness';
import { Scenario } from './scenario';

/** HelmReleases that cannot render, install, upgrade or pass their tests. */
export const helmReleaseScenarios: Scenario[] = [
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
    name: 'hr-install-retrying',
    kind: 'HelmRelease',
    description:
      'install timed out and is being retried (remediation retries left)',
    expected: { code: 'TIMEOUT' },
    provoke: ctx =>
      helmRelease(ctx, 'hr-install-retrying', {
        timeout: '5s',
        install: { remediation: { retries: 5 } },
        values: { nodeSelector: { 'e2e.gitops/no-such-node': 'true' } },
      }),
    settled: helmRetrying,
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
    // Settled once helm-controller has also recorded the failed test hook:
    // it may write Ready=False/TestFailed a moment before the history (a
    // full run caught the object in between).
    settled: o =>
      readyFalse(o) &&
      ['TestFailed'].includes(condition(o, 'Ready')?.reason ?? '') &&
      Object.values((o.status as any)?.history?.[0]?.testHooks ?? {}).some(
        (hook: any) => hook?.phase && hook.phase !== 'Succeeded',
      ),
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
];
