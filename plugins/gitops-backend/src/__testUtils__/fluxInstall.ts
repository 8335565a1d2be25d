import { FLUX_KINDS } from '@gitops-backstage/plugin-gitops-common';
import { flux } from './fakeCluster';

export const FLUX_NAMESPACE = 'flux-system';

/** Flux's multi-tenancy lockdown flags, as a shared cluster runs them. */
const LOCKDOWN_ARGS: Record<string, string[]> = {
  'kustomize-controller': [
    '--no-cross-namespace-refs=true',
    '--no-remote-bases=true',
    '--default-service-account=default',
  ],
  'helm-controller': [
    '--no-cross-namespace-refs=true',
    '--default-service-account=default',
  ],
  'notification-controller': ['--no-cross-namespace-refs=true'],
};

/**
 * The CRDs and controller Deployments of a healthy Flux installation,
 * locked down for tenants unless `lockdown` is false (flux install's
 * defaults).
 */
export function fluxInstallation(
  options: {
    unavailable?: string[];
    missing?: string[];
    lockdown?: boolean;
  } = {},
) {
  const crds = FLUX_KINDS.map(k => ({
    kind: 'CustomResourceDefinition',
    metadata: { name: `${k.plural}.${k.group}` },
    spec: { versions: [{ name: k.versions[0], served: true }] },
    status: { storedVersions: [k.versions[0]] },
  }));
  const controllers = [
    'source-controller',
    'kustomize-controller',
    'helm-controller',
    'notification-controller',
  ]
    .filter(name => !options.missing?.includes(name))
    .map(name => {
      const deployment = flux.deployment(name, FLUX_NAMESPACE, {
        containers: [
          {
            name: 'manager',
            image: `ghcr.io/fluxcd/${name}:v1.4.0`,
            args: [
              '--watch-all-namespaces=true',
              ...(options.lockdown === false ? [] : LOCKDOWN_ARGS[name] ?? []),
            ],
          },
        ],
        status: options.unavailable?.includes(name)
          ? {
              readyReplicas: 0,
              conditions: [
                {
                  type: 'Available',
                  status: 'False',
                  reason: 'MinimumReplicasUnavailable',
                  message: 'no pods',
                },
              ],
            }
          : {
              readyReplicas: 1,
              conditions: [{ type: 'Available', status: 'True' }],
            },
      });
      (deployment.spec.template.spec.containers[0] as any).ports = [
        { name: 'http', containerPort: 9090, protocol: 'TCP' },
      ];
      return deployment;
    });
  return [...crds, ...controllers];
}
