import { apply, gitRepository, kustomization, secret } from './corpusObjects';
import { condition, readyFalse, reasonIs, waitReady } from './readiness';
import { Scenario } from './scenario';

/** Kustomizations that cannot build, apply or become healthy. */
export const kustomizationScenarios: Scenario[] = [
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
];
