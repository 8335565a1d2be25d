import { InputError, NotAllowedError } from '@backstage/errors';
import {
  ANNOTATION_ENTITY_REF,
  FluxResource,
  inventoryWorkloads,
} from '@gitops-backstage/plugin-gitops-common';
import {
  DeployKeyHost,
  GITOPS_FIELD_MANAGER,
  RepositoryOfUrl,
  repositoryOfRepoUrl,
} from '@gitops-backstage/plugin-gitops-node';
import { FluxActions } from '../actions/FluxActions';
import { ClusterWatcher } from '../cluster/ClusterWatcher';
import { EntityScope } from '../entities/EntityScope';
import { requireRegisteredRepository } from '../entities/registeredRepository';
import { DeployTarget } from './DeployStore';

/** Where an environment of an entity is deployed from, and to. */
export interface EnvironmentContext {
  environment: string;
  watcher: ClusterWatcher;
  kustomization: FluxResource;
  source?: FluxResource;
  target: DeployTarget;
  /** Deployments the Kustomization applied. */
  deployments: Array<{ namespace: string; name: string }>;
  /** The repository the entity was registered from, or why it has none. */
  registeredRepository: RepositoryOfUrl;
}

/** The Git side of an environment: only Kustomizations from a branch. */
export interface GitContext {
  repoUrl: string;
  /** The repository the entity was registered from (registeredRepositoryOf). */
  registeredRepository: RepositoryOfUrl;
  branch: string;
  /** The overlay directory, relative to the repository root. */
  overlayPath: string;
}

/**
 * Finds the Kustomization that deploys an entity's environment, from the
 * entity's objects as the watcher holds them. An environment with several
 * Kustomizations (or only a HelmRelease) is refused with a message that
 * says why.
 */
export function environmentContext(
  scope: EntityScope,
  environment: string,
): EnvironmentContext {
  const environments = scope.environments();
  const found = environments.find(e => e.name === environment);
  const kustomizations = found?.objects.filter(
    o => o.resource.kind === 'Kustomization',
  );
  if (!kustomizations?.length) {
    // The selector matched this environment's Kustomizations, but they are
    // another entity's: say so rather than that there are none.
    const owners = scope.foreignOwnersOfEnvironment(environment);
    if (owners.length > 0) {
      throw new NotAllowedError(
        `environment: '${environment}' is deployed by objects of ${owners.join(
          ', ',
        )} (annotation ${ANNOTATION_ENTITY_REF}), not of ${
          scope.entityRef
        }; only their own entity may deploy it`,
      );
    }
  }
  if (!found || !kustomizations) {
    const names = environments.map(e => e.name).join(', ');
    throw new InputError(
      `environment: ${scope.entityRef} has no environment '${environment}'${
        names ? ` (it has ${names})` : ''
      }`,
    );
  }
  // Ownership before shape: every Kustomization of the environment must be
  // the entity's (by its annotation) before anything else is said about it.
  for (const { resource } of kustomizations) {
    scope.requireActionable(resource);
  }
  if (kustomizations.length !== 1) {
    throw new InputError(
      kustomizations.length === 0
        ? `environment: '${environment}' of ${scope.entityRef} is not deployed by a Flux Kustomization; portal deploys change Kustomize overlays`
        : `environment: '${environment}' of ${scope.entityRef} has ${kustomizations.length} Kustomizations; portal deploys need exactly one`,
    );
  }
  const { watcher, resource } = kustomizations[0];
  const namespace = resource.metadata.namespace ?? '';
  const source = watcher.sourceOf(resource);
  // Every use of an environment acts on it or reads Git with the portal's
  // credentials: the repository it is deployed from must be the entity's
  // too. A Kustomization pointing at another entity's source must not make
  // the portal write there.
  if (source) {
    scope.requireActionable(source);
  }
  return {
    environment,
    watcher,
    kustomization: resource,
    source,
    target: {
      cluster: watcher.cluster.name,
      namespace,
      kustomization: resource.metadata.name,
    },
    deployments: inventoryWorkloads(resource)
      .filter(w => w.kind === 'Deployment')
      .map(w => ({ namespace: w.namespace, name: w.name })),
    registeredRepository: scope.registered,
  };
}

/** Asks Flux to fetch and apply now, without waiting; failures are left to the interval. */
export async function requestEnvironmentReconcile(
  actions: FluxActions,
  context: EnvironmentContext,
): Promise<void> {
  const requests = [context.source, context.kustomization].filter(
    (r): r is NonNullable<typeof r> => Boolean(r),
  );
  for (const resource of requests) {
    await actions
      .requestReconcile(context.watcher, resource)
      .catch(() => undefined);
  }
}

export function gitContext(context: EnvironmentContext): GitContext {
  const { source, kustomization, environment } = context;
  if (!source || source.kind !== 'GitRepository') {
    throw new InputError(
      `environment: '${environment}' is not deployed from a GitRepository; portal deploys commit to Git`,
    );
  }
  const branch =
    source.spec?.ref?.branch ?? (source.spec?.ref ? undefined : 'master');
  if (
    !branch ||
    source.spec?.ref?.commit ||
    source.spec?.ref?.tag ||
    source.spec?.ref?.semver ||
    source.spec?.ref?.name
  ) {
    throw new InputError(
      `environment: '${environment}' follows a tag or a fixed commit of ${source.spec?.url}; portal deploys need it to follow a branch`,
    );
  }
  // The annotation says whose objects these are, not that the repository
  // is theirs: a tenant's repository may rewrite its own GitRepository's
  // URL or its Kustomization's path. The portal writes with its own
  // credentials only where project initialization pointed them.
  requireSetByPortal(source, 'spec.url', environment);
  requireSetByPortal(kustomization, 'spec.path', environment);
  const overlayPath = String(kustomization.spec?.path ?? '')
    .replace(/^\.?\/+/, '')
    .replace(/\/+$/, '');
  return {
    repoUrl: String(source.spec?.url),
    registeredRepository: context.registeredRepository,
    branch,
    overlayPath,
  };
}

/**
 * A workload change outside Git (a manual deploy) is for an environment
 * deployed from the entity's own repository, through the source URL that
 * project initialization wrote: otherwise a tenant who points a
 * Kustomization of theirs at another team's objects could have the portal
 * patch them.
 */
export function requireRegisteredSource(
  context: EnvironmentContext,
  deployKeyHosts: DeployKeyHost[],
): void {
  const { source, environment } = context;
  if (!source || source.kind !== 'GitRepository') {
    throw new InputError(
      `environment: '${environment}' is not deployed from a GitRepository; the portal changes workloads only of environments deployed from the repository their entity was registered from`,
    );
  }
  requireSetByPortal(source, 'spec.url', environment);
  const url = String(source.spec?.url ?? '');
  requireRegisteredRepository(
    url,
    repositoryOfRepoUrl(url, deployKeyHosts),
    context.registeredRepository,
  );
}

/**
 * Whether the portal's field manager (project initialization) manages the
 * field: a later change by anyone else takes the field from it.
 */
export function setByPortal(resource: FluxResource, field: string): boolean {
  return (
    resource.metadata.fieldOwners?.[field]?.includes(GITOPS_FIELD_MANAGER) ??
    false
  );
}

function requireSetByPortal(
  resource: FluxResource,
  field: string,
  environment: string,
): void {
  if (!setByPortal(resource, field)) {
    const owners = resource.metadata.fieldOwners?.[field] ?? [];
    throw new NotAllowedError(
      `environment: '${environment}': ${resource.kind} ${
        resource.metadata.namespace
      }/${resource.metadata.name} has its ${field} set by ${
        owners.length > 0 ? owners.join(', ') : 'no known field manager'
      }, not by the portal's project initialization (${GITOPS_FIELD_MANAGER}); the portal commits and reads with its own credentials only where it set them up`,
    );
  }
}

/** `<branch>@sha1:<sha>`, as Flux writes revisions. */
export function branchRevision(branch: string, sha: string): string {
  return `${branch}@sha1:${sha}`;
}
