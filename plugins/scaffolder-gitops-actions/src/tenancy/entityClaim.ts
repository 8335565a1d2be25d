import {
  BackstageCredentials,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, NotAllowedError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  ANNOTATION_KUBERNETES_ID,
  gitopsDeployPermission,
} from '@gitops-backstage/plugin-gitops-common';
import {
  DeployKeyHost,
  registeredRepositoryOf,
  repositoryOfRepoUrl,
} from '@gitops-backstage/plugin-gitops-node';

/**
 * The outside systems that say what a run's initiator may claim: the
 * catalog (read with the initiator's credentials) and the permission
 * policy.
 */
export interface ClaimServices {
  catalog: Pick<CatalogService, 'getEntityByRef'>;
  permissions: Pick<PermissionsService, 'authorize'>;
}

/**
 * The entity a project's objects are bound to: its ref, and the repository
 * it was registered from once it exists (a name can be registered again,
 * by someone else, from their own repository).
 */
export interface EntityBinding {
  entityRef: string;
  entityRepository?: string;
}

/** What a refusal says was left alone, at the end of its message. */
export type NothingDone = 'nothing was applied' | 'nothing was created';

/** An entity ref in the catalog's canonical form (`kind:namespace/name`). */
export function canonicalEntityRef(raw: string, nothing: NothingDone): string {
  try {
    return stringifyEntityRef(
      parseEntityRef(raw, { defaultNamespace: 'default' }),
    );
  } catch {
    throw new InputError(
      `entityRef: '${raw}' is not an entity ref like component:default/<name>; ${nothing}`,
    );
  }
}

/**
 * Only a user's run is checked against the permission policy: Backstage
 * allows service principals everything without asking it, so a run they
 * started could claim any entity.
 */
export function requireUser(
  credentials: BackstageCredentials,
  nothing: NothingDone,
): void {
  const type = (credentials.principal as { type?: string } | undefined)?.type;
  if (type !== 'user') {
    throw new NotAllowedError(
      `entityRef: only a signed-in user may set up GitOps for an entity; this run was started by ${
        type ? `a ${type} principal` : 'no user'
      }; ${nothing}`,
    );
  }
}

/**
 * The entity as the catalog serves it to the initiator. An entity
 * registered earlier in the same run appears once the catalog has
 * processed its location: `waitMs` says how long to look for it.
 */
export async function findEntity(
  catalog: ClaimServices['catalog'],
  entityRef: string,
  credentials: BackstageCredentials,
  options: { waitMs?: number; pollMs?: number; signal?: AbortSignal } = {},
): Promise<Entity | undefined> {
  const deadline = Date.now() + (options.waitMs ?? 0);
  for (;;) {
    const entity = await catalog.getEntityByRef(entityRef, { credentials });
    const left = deadline - Date.now();
    if (entity || left <= 0 || options.signal?.aborted) {
      return entity;
    }
    await new Promise(resolve =>
      setTimeout(resolve, Math.min(options.pollMs ?? 2000, left)),
    );
  }
}

/** The initiator's `gitops.deploy.create` on the entity: its owners'. */
export async function requireDeployPermission(
  permissions: ClaimServices['permissions'],
  entity: Entity,
  credentials: BackstageCredentials,
  nothing: NothingDone,
): Promise<void> {
  const entityRef = stringifyEntityRef(entity);
  const [decision] = await permissions.authorize(
    [{ permission: gitopsDeployPermission, resourceRef: entityRef }],
    { credentials },
  );
  if (decision?.result !== AuthorizeResult.ALLOW) {
    const owner = (entity.spec as { owner?: unknown } | undefined)?.owner;
    throw new NotAllowedError(
      `entityRef: ${entityRef} is ${
        typeof owner === 'string' ? `owned by ${owner}` : 'not yours'
      }; only its owners may set up GitOps for it (${
        gitopsDeployPermission.name
      }); ${nothing}`,
    );
  }
}

/** The project id must be the entity's `backstage.io/kubernetes-id`. */
export function requireKubernetesId(
  entity: Entity,
  id: string,
  nothing: NothingDone,
): void {
  const annotated = entity.metadata.annotations?.[ANNOTATION_KUBERNETES_ID];
  if (annotated !== id) {
    throw new InputError(
      `id: '${id}' is not the ${ANNOTATION_KUBERNETES_ID} of ${stringifyEntityRef(
        entity,
      )} (${annotated ? `it is '${annotated}'` : 'it has none'}); ${nothing}`,
    );
  }
}

/** Why a repoUrl can never be given to Flux, if it cannot. */
export function requirePlainRepoUrl(
  repoUrl: string,
  hosts: DeployKeyHost[],
  nothing: NothingDone,
): string {
  const given = repositoryOfRepoUrl(repoUrl, hosts);
  if (given.problem !== undefined) {
    // The URL is not repeated: it may carry credentials.
    throw new InputError(
      `repoUrl: the URL ${given.problem}; only the plain URL of the repository the entity was registered from is accepted; ${nothing}`,
    );
  }
  return given.repository;
}

/**
 * Flux and a deploy key get only the repository the entity was registered
 * from (its catalog origin location): naming another repository would let
 * the portal's integration reach it for the initiator.
 */
export function requireRegisteredRepository(
  entity: Entity,
  repository: string,
  nothing: NothingDone,
): void {
  const entityRef = stringifyEntityRef(entity);
  const registered = registeredRepositoryOf(entity);
  if (registered.problem !== undefined) {
    throw new InputError(
      `entityRef: ${entityRef} ${registered.problem}; Flux and deploy keys are only set up for the repository an entity was registered from; ${nothing}`,
    );
  }
  if (registered.repository !== repository) {
    throw new InputError(
      `repoUrl: ${repository} is not the repository ${entityRef} was registered from (${registered.repository}); ${nothing}`,
    );
  }
}

/**
 * A new entity's owner must be the initiator or one of their groups:
 * otherwise the run would register an entity it may not set up.
 */
export async function requireOwnOwner(
  userInfo: Pick<UserInfoService, 'getUserInfo'>,
  credentials: BackstageCredentials,
  owner: string,
  nothing: NothingDone,
): Promise<void> {
  let ownerRef: string;
  try {
    ownerRef = stringifyEntityRef(
      parseEntityRef(owner, {
        defaultKind: 'group',
        defaultNamespace: 'default',
      }),
    );
  } catch {
    throw new InputError(
      `owner: '${owner}' is not an entity ref like group:default/<name>; ${nothing}`,
    );
  }
  const { ownershipEntityRefs } = await userInfo.getUserInfo(credentials);
  const mine = ownershipEntityRefs.map(ref => ref.toLocaleLowerCase('en-US'));
  if (!mine.includes(ownerRef)) {
    throw new NotAllowedError(
      `owner: ${ownerRef} is neither you nor one of your groups (${mine.join(
        ', ',
      )}); only an entity's owners may set up GitOps for it; ${nothing}`,
    );
  }
}
