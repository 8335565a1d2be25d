import { KubernetesObject } from '@kubernetes/client-node';
import {
  ANNOTATION_ENTITY_REF,
  ANNOTATION_ENTITY_REPOSITORY,
  ANNOTATION_REPOSITORY_WEB_URL,
  FLUX_KIND,
  fluxApiVersion,
  LABEL_ENVIRONMENT,
  LABEL_KUBERNETES_ID,
  MANAGED_BY_VALUE,
} from '@gitops-backstage/plugin-gitops-common';

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
  /**
   * The cluster the input names for this environment (its own, else the
   * run's); none: the only configured cluster.
   */
  cluster?: string;
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
  /** The repository the entity was registered from, bound beside its ref. */
  entityRepository?: string;
  /** The URL Flux clones: for a deploy key, the SSH URL. */
  repoUrl: string;
  /** The repository's web URL when Flux clones over SSH (commit links). */
  webUrl?: string;
  helm?: HelmOptions;
}

/** Names of the objects of one environment, as the in-house platform named them. */
export function fluxObjectNames(id: string, environment: string) {
  return {
    secret: `${id}-git-auth`,
    gitRepository: `${id}-repo`,
    helmRepository: `${id}-charts`,
    workload: `${id}-${environment}`,
    /** ServiceAccount (and its RoleBinding) Flux impersonates. */
    serviceAccount: `${id}-${environment}`,
  };
}

/**
 * The objects of one environment, in apply order: Namespace, Git auth
 * Secret, the ServiceAccount Flux impersonates with its RoleBinding to the
 * `admin` ClusterRole in this namespace only, GitRepository, then a
 * Kustomization or a HelmRepository and a HelmRelease. Flux's multi-tenancy
 * lockdown: the workload applies with the ServiceAccount's rights, so the
 * repository cannot create cluster-scoped objects or write elsewhere. All
 * carry the labels and the entity-ref annotation that link them to the
 * entity.
 */
export function renderEnvironmentObjects(
  project: ProjectPlan,
  env: EnvironmentPlan,
  gitSecret?: Record<string, string>,
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
      ? {
          annotations: {
            [ANNOTATION_ENTITY_REF]: project.entityRef,
            ...(project.entityRepository
              ? { [ANNOTATION_ENTITY_REPOSITORY]: project.entityRepository }
              : {}),
          },
        }
      : {}),
  });
  const base64 = (value: string) => Buffer.from(value).toString('base64');

  const objects: KubernetesObject[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: metadata(env.namespace) },
  ];
  if (gitSecret) {
    objects.push({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: metadata(names.secret, env.namespace),
      type: 'Opaque',
      data: Object.fromEntries(
        Object.entries(gitSecret).map(([k, v]) => [k, base64(v)]),
      ),
    } as KubernetesObject);
  }
  objects.push(
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: metadata(names.serviceAccount, env.namespace),
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: metadata(names.serviceAccount, env.namespace),
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: 'admin',
      },
      subjects: [
        {
          kind: 'ServiceAccount',
          name: names.serviceAccount,
          namespace: env.namespace,
        },
      ],
    } as KubernetesObject,
  );
  const sourceMetadata: KubernetesObject['metadata'] = metadata(
    names.gitRepository,
    env.namespace,
  );
  if (project.webUrl) {
    sourceMetadata!.annotations = {
      ...sourceMetadata!.annotations,
      [ANNOTATION_REPOSITORY_WEB_URL]: project.webUrl,
    };
  }
  objects.push({
    apiVersion: SOURCE_API,
    kind: FLUX_KIND.GitRepository,
    metadata: sourceMetadata,
    spec: {
      url: project.repoUrl,
      ref: { branch: env.branch },
      interval: env.sourceInterval,
      ...(gitSecret ? { secretRef: { name: names.secret } } : {}),
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
        serviceAccountName: names.serviceAccount,
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
      serviceAccountName: names.serviceAccount,
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
