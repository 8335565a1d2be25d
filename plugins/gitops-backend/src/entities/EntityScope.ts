import {
  AuthService,
  BackstageCredentials,
  BackstageServicePrincipal,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { ResourcePermission } from '@backstage/plugin-permission-common';
import {
  entityLabelSelector,
  FluxResource,
} from '@gitops-backstage/plugin-gitops-common';
import express from 'express';
import { ClusterWatcher } from '../cluster/ClusterWatcher';
import { Caller, callerOf } from './caller';
import { EntityLookupCache } from './EntityLookupCache';
import {
  EntityObject,
  environmentOf,
  environmentOrder,
  selectEntityObjects,
} from './entityObjects';
import { compileLabelSelector } from './labelSelector';
import { PipelineGrants } from './PipelineGrants';
import { requirePermission } from './requirePermission';

/** A Kustomization an entity deploys through. */
export interface KustomizationTarget {
  cluster: string;
  namespace: string;
  kustomization: string;
}

/**
 * One entity as one request sees it, resolved once: the entity, who calls,
 * its Flux objects as the watchers hold them, and its environments. Whether
 * an object or a deploy belongs to the entity, and whether the caller may
 * act on it, is decided here and nowhere else.
 */
export class EntityScope {
  private selected?: EntityObject[];
  private readonly matches: (labels?: Record<string, string>) => boolean;

  constructor(
    readonly entity: Entity,
    readonly entityRef: string,
    readonly selector: string,
    readonly caller: Caller,
    private readonly watchers: ClusterWatcher[],
    private readonly permissions: PermissionsService,
  ) {
    this.matches = compileLabelSelector(selector);
  }

  /** The entity's Flux objects and the sources they use, on every cluster. */
  objects(): EntityObject[] {
    this.selected ??= selectEntityObjects(this.watchers, this.selector);
    return this.selected;
  }

  /** The objects of each environment, known environments first. */
  environments(): Array<{ name: string; objects: EntityObject[] }> {
    const byName = new Map<string, EntityObject[]>();
    for (const object of this.objects()) {
      const name = environmentOf(object.resource);
      byName.set(name, [...(byName.get(name) ?? []), object]);
    }
    return [...byName.entries()]
      .map(([name, objects]) => ({ name, objects }))
      .sort((a, b) => environmentOrder(a.name) - environmentOrder(b.name));
  }

  /** The Kustomizations the entity's environments deploy through. */
  kustomizations(): KustomizationTarget[] {
    return this.objects()
      .filter(o => o.resource.kind === 'Kustomization')
      .map(o => ({
        cluster: o.watcher.cluster.name,
        namespace: o.resource.metadata.namespace ?? '',
        kustomization: o.resource.metadata.name,
      }));
  }

  /**
   * Whether an object of a cluster belongs to the entity: its labels match
   * the entity's selector, or it is a source one of its objects uses. The one
   * place a cluster-side proof of ownership would be added.
   */
  owns(cluster: string, resource: FluxResource): boolean {
    if (this.matches(resource.metadata.labels)) {
      return true;
    }
    return this.objects().some(
      o =>
        o.watcher.cluster.name === cluster &&
        o.resource.kind === resource.kind &&
        (o.resource.metadata.namespace ?? '') ===
          (resource.metadata.namespace ?? '') &&
        o.resource.metadata.name === resource.metadata.name,
    );
  }

  /** An object of the entity; another entity's object is not found. */
  ownedObject(
    cluster: string,
    kind: string,
    namespace: string,
    name: string,
  ): EntityObject {
    const watcher = this.watchers.find(w => w.cluster.name === cluster);
    if (!watcher) {
      throw new NotFoundError(`cluster '${cluster}' is not configured`);
    }
    const resource = watcher.get(kind, namespace, name);
    if (!resource) {
      throw new NotFoundError(
        `${kind} ${namespace}/${name} not found on cluster ${cluster}`,
      );
    }
    if (!this.owns(cluster, resource)) {
      throw new NotFoundError(
        `${kind} ${namespace}/${name} does not belong to ${this.entityRef}`,
      );
    }
    return { watcher, resource };
  }

  /** A deploy recorded for the entity, or through one of its Kustomizations. */
  ownsDeploy(deploy: {
    entityRef?: string;
    cluster: string;
    namespace: string;
    kustomization: string;
  }): boolean {
    return (
      deploy.entityRef === this.entityRef ||
      this.kustomizations().some(
        k =>
          k.cluster === deploy.cluster &&
          k.namespace === deploy.namespace &&
          k.kustomization === deploy.kustomization,
      )
    );
  }

  /** Refuses with 403 unless the caller holds the permission on the entity. */
  async requirePermission(
    permission: ResourcePermission<'catalog-entity'>,
  ): Promise<void> {
    await requirePermission(this.permissions, this.caller.credentials, {
      permission,
      resourceRef: this.entityRef,
    });
  }
}

/**
 * Resolves the scope of a `/entities/:kind/:namespace/:name/...` request,
 * reading the entity with the caller's rights (so what the catalog hides
 * stays hidden).
 */
export class EntityScopeResolver {
  private readonly entities: EntityLookupCache;

  constructor(
    private readonly options: {
      httpAuth: HttpAuthService;
      permissions: PermissionsService;
      catalog: CatalogService;
      auth: AuthService;
      watchers: ClusterWatcher[];
      pipelines: PipelineGrants;
    },
  ) {
    this.entities = new EntityLookupCache(options.catalog);
  }

  /**
   * Entity routes act for a signed-in user: service principals (which the
   * permission framework would allow without asking the policy) are refused.
   */
  async forRequest(req: express.Request): Promise<EntityScope> {
    const credentials = await this.options.httpAuth.credentials(req, {
      allow: ['user'],
    });
    const { kind, namespace, name } = req.params;
    const entityRef = entityRefOfPath({ kind, namespace, name });
    const entity = await this.entities.getEntity(entityRef, credentials);
    if (!entity) {
      throw new NotFoundError(`entity ${entityRef} not found`);
    }
    const selector = entityLabelSelector(entity);
    if (!selector) {
      throw new InputError(
        `entity ${entityRef} has neither the backstage.io/kubernetes-id nor the gitops.backstage.io/label-selector annotation`,
      );
    }
    return this.scope(entity, entityRef, selector, credentials);
  }

  /**
   * The credentials of a pipeline: a service principal that `gitops.pipelines`
   * names; anyone else is refused (403) before the body is read.
   */
  async pipelineCredentials(
    req: express.Request,
  ): Promise<BackstageCredentials<BackstageServicePrincipal>> {
    const credentials = await this.options.httpAuth.credentials(req, {
      allow: ['service'],
    });
    this.options.pipelines.requireKnown(credentials.principal.subject);
    return credentials;
  }

  /**
   * The scope of an entity a pipeline names in its report, if the pipeline's
   * grant covers it. The pipeline's service token has no catalog rights of
   * its own: the entity is read with the backend's.
   */
  async forPipelineReport(
    credentials: BackstageCredentials<BackstageServicePrincipal>,
    entityRefText: string,
  ): Promise<EntityScope> {
    let entityRef: string;
    try {
      entityRef = stringifyEntityRef(parseEntityRef(entityRefText));
    } catch (error) {
      throw new InputError(`entityRef: ${error}`);
    }
    const entity = await this.options.catalog.getEntityByRef(entityRef, {
      credentials: await this.options.auth.getOwnServiceCredentials(),
    });
    if (!entity) {
      throw new NotFoundError(`entityRef: ${entityRef} is not in the catalog`);
    }
    this.options.pipelines.requireEntity(
      credentials.principal.subject,
      entityRef,
      entity,
    );
    const selector = entityLabelSelector(entity);
    if (!selector) {
      throw new InputError(
        `entityRef: ${entityRef} is not linked to Flux objects`,
      );
    }
    return this.scope(entity, entityRef, selector, credentials);
  }

  private scope(
    entity: Entity,
    entityRef: string,
    selector: string,
    credentials: BackstageCredentials,
  ) {
    return new EntityScope(
      entity,
      entityRef,
      selector,
      callerOf(credentials),
      this.options.watchers,
      this.options.permissions,
    );
  }
}

/**
 * The entity reference the path's kind, namespace and name form; a 400
 * naming them when they form none (a `:` or `/` inside one of them).
 */
function entityRefOfPath(params: {
  kind: string;
  namespace: string;
  name: string;
}): string {
  const entityRef = stringifyEntityRef(params);
  let parsed: ReturnType<typeof parseEntityRef> | undefined;
  try {
    parsed = parseEntityRef(entityRef);
  } catch {
    parsed = undefined;
  }
  if (
    !parsed ||
    parsed.kind.toLocaleLowerCase('en-US') !==
      params.kind.toLocaleLowerCase('en-US') ||
    parsed.namespace !== params.namespace ||
    parsed.name !== params.name
  ) {
    throw new InputError(
      `kind, namespace, name: ${JSON.stringify(
        params,
      )} is no entity reference (none of them may contain ':' or '/')`,
    );
  }
  return entityRef;
}
