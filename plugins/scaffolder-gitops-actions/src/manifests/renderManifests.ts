import { stringify } from 'yaml';
import {
  buildDeploymentPatch,
  GitOpsEnvironment,
  LABEL_ENVIRONMENT,
  LABEL_KUBERNETES_ID,
} from '@gitops-backstage/plugin-gitops-common';

/** CPU and memory quantities, as Kubernetes writes them. */
export interface ResourceQuantities {
  cpu?: string;
  memory?: string;
}

/** What one environment's overlay changes from the base. */
export interface EnvironmentSettings {
  name: GitOpsEnvironment;
  replicas: number;
  image?: string;
  env?: Record<string, string>;
  resources?: {
    requests?: ResourceQuantities;
    limits?: ResourceQuantities;
  };
}

/** Input of {@link renderManifests}. */
export interface ManifestsSpec {
  name: string;
  kubernetesId: string;
  image: string;
  port: number;
  environments: EnvironmentSettings[];
}

/** The container that deploys and overlays address by name. */
export const APP_CONTAINER_NAME = 'app';

/**
 * Renders the Kustomize tree of a new project: `k8s/base` with a Deployment
 * and a Service, and `k8s/overlays/<env>` per environment patching replicas,
 * image, env vars and resources. Returns file paths relative to the
 * repository root, mapped to their contents.
 */
export function renderManifests(spec: ManifestsSpec): Map<string, string> {
  const files = new Map<string, string>();
  const selector = { 'app.kubernetes.io/name': spec.name };

  files.set(
    'k8s/base/deployment.yaml',
    stringify({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: spec.name },
      spec: {
        replicas: 1,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels: selector },
          spec: {
            containers: [
              {
                name: APP_CONTAINER_NAME,
                image: spec.image,
                ports: [{ name: 'http', containerPort: spec.port }],
              },
            ],
          },
        },
      },
    }),
  );
  files.set(
    'k8s/base/service.yaml',
    stringify({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: spec.name },
      spec: {
        selector,
        ports: [{ name: 'http', port: 80, targetPort: 'http' }],
      },
    }),
  );
  files.set(
    'k8s/base/kustomization.yaml',
    stringify({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: ['deployment.yaml', 'service.yaml'],
      labels: [
        {
          pairs: { [LABEL_KUBERNETES_ID]: spec.kubernetesId },
          includeSelectors: false,
        },
      ],
    }),
  );

  for (const environment of spec.environments) {
    const dir = `k8s/overlays/${environment.name}`;
    files.set(
      `${dir}/kustomization.yaml`,
      stringify({
        apiVersion: 'kustomize.config.k8s.io/v1beta1',
        kind: 'Kustomization',
        resources: ['../../base'],
        labels: [
          {
            pairs: { [LABEL_ENVIRONMENT]: environment.name },
            includeSelectors: false,
          },
        ],
        patches: [{ path: 'deployment.yaml' }],
      }),
    );
    files.set(
      `${dir}/deployment.yaml`,
      stringify(renderDeploymentPatch(spec, environment)),
    );
  }
  return files;
}

function renderDeploymentPatch(
  spec: ManifestsSpec,
  environment: EnvironmentSettings,
) {
  const env = environment.env ?? {};
  return buildDeploymentPatch({
    // Started with replicas so that they come before the template, as in
    // the base; the builder would add them after it.
    patch: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: spec.name },
      spec: { replicas: environment.replicas },
    },
    deployment: spec.name,
    container: APP_CONTAINER_NAME,
    changes: {
      image: environment.image ?? spec.image,
      // No variables, no env list: the builder would write `env: []`.
      env: Object.keys(env).length > 0 ? env : undefined,
      resources: environment.resources,
    },
  });
}
