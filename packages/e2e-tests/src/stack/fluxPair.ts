import { TestGitServer } from './gitea';
import { FluxObject, TestCluster } from './kube';

export const SOURCE_API = 'source.toolkit.fluxcd.io/v1';
export const KUSTOMIZE_API = 'kustomize.toolkit.fluxcd.io/v1';
/**
 * The field manager project initialization applies with: the portal
 * deploys only through a URL and path it set, so the pair is applied as it.
 */
export const PROJECT_INITIALIZATION = 'backstage-gitops';
export const ENTITY_REF_ANNOTATION = 'gitops.backstage.io/entity-ref';

export interface FluxPairOptions {
  namespace: string;
  name: string;
  /** Defaults to the Gitea repository `repo`. */
  url?: string;
  repo?: string;
  /** The Secret's password; defaults to the right one. */
  password?: string;
  labels?: Record<string, string>;
  /** On the GitRepository. */
  annotations?: Record<string, string>;
  /**
   * The entity both objects belong to, as project initialization writes it
   * (the `gitops.backstage.io/entity-ref` annotation): without it the
   * portal shows them read-only.
   */
  entityRef?: string;
  path?: string;
  /** Extra Kustomization spec fields. */
  kustomization?: Record<string, unknown>;
}

/**
 * A Git auth Secret `<name>-auth`, a GitRepository and a Kustomization
 * `<name>` applying `path` into the namespace with prefix `<name>-`.
 */
export async function applyFluxPair(
  cluster: TestCluster,
  git: TestGitServer,
  options: FluxPairOptions,
): Promise<void> {
  const { namespace, name, labels } = options;
  const claim = options.entityRef
    ? { [ENTITY_REF_ANNOTATION]: options.entityRef }
    : undefined;
  await cluster.apply({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: `${name}-auth`, namespace },
    stringData: {
      username: git.basicAuth.username,
      password: options.password ?? git.basicAuth.password,
    },
  } as any);
  await cluster.apply(
    {
      apiVersion: SOURCE_API,
      kind: 'GitRepository',
      metadata: {
        name,
        namespace,
        labels,
        annotations:
          claim || options.annotations
            ? { ...claim, ...options.annotations }
            : undefined,
      },
      spec: {
        url: options.url ?? git.repoUrl(options.repo!),
        ref: { branch: 'main' },
        interval: '1h',
        secretRef: { name: `${name}-auth` },
      },
    } as FluxObject,
    PROJECT_INITIALIZATION,
  );
  await cluster.apply(
    {
      apiVersion: KUSTOMIZE_API,
      kind: 'Kustomization',
      metadata: { name, namespace, labels, annotations: claim },
      spec: {
        sourceRef: { kind: 'GitRepository', name },
        path: options.path ?? './deploy',
        prune: true,
        interval: '1h',
        retryInterval: '1h',
        targetNamespace: namespace,
        namePrefix: `${name}-`,
        timeout: '1m',
        ...options.kustomization,
      },
    } as FluxObject,
    PROJECT_INITIALIZATION,
  );
}
