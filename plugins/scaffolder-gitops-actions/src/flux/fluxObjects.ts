import { KubernetesObject } from '@kubernetes/client-node';
import {
  ANNOTATION_ENTITY_REF,
  FLUX_KIND,
  fluxApiVersion,
  LABEL_ENVIRONMENT,
  LABEL_KUBERNETES_ID,
  MANAGED_BY_VALUE,
} from '@gitops-backstage/plugin-gitops-common';
import { GitCredentials } from '@gitops-backstage/plugin-gitops-node';

export const SOURCE_API = fluxApiVersion(FLUX_KIND.GitRepository);
export const KUSTOMIZE_API = fluxApiVersion(FLUX_KIND.Kustomization);
export const HELM_API = fluxApiVersion(FLUX_KIND.HelmRelease);

export interface HelmOptions {
  /** Chart name in a Helm repository, or a chart path in the Git repository. */
  chart: string;
  version?: string;
  /** https:// or oci:// Helm repository; without it the chart comes from Git. */
  repositoryUrl?: string;
  values?: Record<string, unknown>;
}

export interface EnvironmentPlan {
  environment: string;
  namespace: string;
  branch: string;
  path: string;
  interval: string;
  sourceInterval: string;
  timeout: string;
  autoSync: boolean;
  prune: boolean;
  wait: boolean;
  healthChecks?: Array<{
    apiVersion?: string;
    kind: string;
    name: string;
    namespace?: string;
  }>;
  /** Other environments of the same project this one waits for. */
  dependsOn: Array<{ name: string; namespace: string }>;
  values?: Record<string, unknown>;
}

export interface ProjectPlan {
  id: string;
  entityRef?: string;
  repoUrl: string;
  credentials?: GitCredentials;
  helm?: HelmOptions;
}

/** Names of the objects of one environment, as the in-house platform named them. */
export function fluxObjectNames(id: string, environment: string) {
  return {
    secret: `${id}-git-auth`,
    gitRepository: `${id}-repo`,
    helmRepository: `${id}-charts`,
    workload: `${id}-${environment}`,
  };
}

/**
 * The objects of one environment, in apply order: Namespace, Git auth
 * Secret, GitRepository, then a Kustomization or a HelmRepository and a
 * HelmRelease. All carry the labels that link them to the entity.
 */
export function renderEnvironmentObjects(
  project: ProjectPlan,
  env: EnvironmentPlan,
): KubernetesObject[] {
  const names = fluxObjectNames(project.id, env.environment);
  const metadata = (name: string, namespace?: string) => ({
    name,
    ...(namespace ? { namespace } : {}),
    labels: {
      [LABEL_KUBERNETES_ID]: project.id,
      [LABEL_ENVIRONMENT]: env.environment,
      'app.kubernetes.io/managed-by': MANAGED_BY_VALUE,
    },
    ...(project.entityRef
      ? { annotations: { [ANNOTATION_ENTITY_REF]: project.entityRef } }
      : {}),
  });
  const base64 = (value: string) => Buffer.from(value).toString('base64');

  const objects: KubernetesObject[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: metadata(env.namespace) },
  ];
  if (project.credentials) {
    objects.push({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: metadata(names.secret, env.namespace),
      type: 'Opaque',
      data: Object.fromEntries(
        Object.entries(project.credentials).map(([k, v]) => [k, base64(v)]),
      ),
    } as KubernetesObject);
  }
  objects.push({
    apiVersion: SOURCE_API,
    kind: FLUX_KIND.GitRepository,
    metadata: metadata(names.gitRepository, env.namespace),
    spec: {
      url: project.repoUrl,
      ref: { branch: env.branch },
      interval: env.sourceInterval,
      ...(project.credentials ? { secretRef: { name: names.secret } } : {}),
    },
  } as KubernetesObject);

  const dependsOn =
    env.dependsOn.length > 0 ? { dependsOn: env.dependsOn } : {};
  if (!project.helm) {
    objects.push({
      apiVersion: KUSTOMIZE_API,
      kind: FLUX_KIND.Kustomization,
      metadata: metadata(names.workload, env.namespace),
      spec: {
        sourceRef: { kind: FLUX_KIND.GitRepository, name: names.gitRepository },
        path: env.path,
        prune: env.prune,
        interval: env.interval,
        timeout: env.timeout,
        targetNamespace: env.namespace,
        suspend: !env.autoSync,
        ...(env.wait ? { wait: true } : {}),
        ...(env.healthChecks?.length ? { healthChecks: env.healthChecks } : {}),
        ...dependsOn,
      },
    } as KubernetesObject);
    return objects;
  }

  const helm = project.helm;
  if (helm.repositoryUrl) {
    objects.push({
      apiVersion: SOURCE_API,
      kind: FLUX_KIND.HelmRepository,
      metadata: metadata(names.helmRepository, env.namespace),
      spec: {
        url: helm.repositoryUrl,
        interval: env.sourceInterval,
        ...(helm.repositoryUrl.startsWith('oci://') ? { type: 'oci' } : {}),
      },
    } as KubernetesObject);
  }
  objects.push({
    apiVersion: HELM_API,
    kind: FLUX_KIND.HelmRelease,
    metadata: metadata(names.workload, env.namespace),
    spec: {
      interval: env.interval,
      timeout: env.timeout,
      suspend: !env.autoSync,
      chart: {
        spec: {
          chart: helm.chart,
          ...(helm.version ? { version: helm.version } : {}),
          sourceRef: helm.repositoryUrl
            ? { kind: FLUX_KIND.HelmRepository, name: names.helmRepository }
            : { kind: FLUX_KIND.GitRepository, name: names.gitRepository },
          interval: env.sourceInterval,
        },
      },
      ...(helm.values || env.values
        ? { values: { ...helm.values, ...env.values } }
        : {}),
      ...dependsOn,
    },
  } as KubernetesObject);
  return objects;
}
