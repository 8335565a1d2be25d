import { PermissionsService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { ResourcePermission } from '@backstage/plugin-permission-common';
import {
  ANNOTATION_ENTITY_REF,
  FluxResource,
} from '@gitops-backstage/plugin-gitops-common';
import {
  registeredRepositoryOf,
  RepositoryOfUrl,
} from '@gitops-backstage/plugin-gitops-node';
import { ClusterWatcher } from '../cluster/ClusterWatcher';
import { Caller } from './caller';
import { ClaimantsLookup } from './ClaimantsLookup';
import {
  EntityObject,
  environmentOf,
  environmentOrder,
  selectEntityObjects,
} from './entityObjects';
import {
  Claim,
  claimOf,
  describeClaimant,
  EntityBinding,
  describeObject,
} from './ownership';
import { howToClaim, ownershipWarnings } from './ownershipWarnings';
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
 *
 * Ownership is two-sided: the entity's selector says which objects it
 * claims, the object's entity-ref annotation (see {@link Claim}) must agree
 * before anyone acts on it. The selector only narrows: an object annotated
 * for another entity is never one of this entity's objects.
 */
export class EntityScope {
  private selection?: { objects: EntityObject[]; foreign: EntityObject[] };
  /** The repository the entity was registered from, or why none. */
  readonly registered: RepositoryOfUrl;
  /** Weighed against every object: worked out once per scope. */
  readonly binding: EntityBinding;

  constructor(
    readonly entity: Entity,
    readonly entityRef: string,
    readonly selector: string,
    readonly caller: Caller,
    private readonly watchers: ClusterWatcher[],
    private readonly permissions: PermissionsService,
    private readonly claimants?: ClaimantsLookup,
  ) {
    this.registered = registeredRepositoryOf(entity);
    this.binding = {
      entityRef,
      entityRepository: this.registered.repository,
    };
  }

  /**
   * The entity's Flux objects and the sources they use, on every cluster:
   * what the selector matches, less what is annotated for another entity.
   * A shared source of another entity is shown with the entity's own
   * (annotated) objects that use it, since their state depends on it, but
   * only its own entity may act on it.
   */
  objects(): EntityObject[] {
    return this.select().objects;
  }

  private select() {
    this.selection ??= (() => {
      const { objects, excluded } = selectEntityObjects(
        this.watchers,
        this.selector,
        {
          keep: resource => this.claimOf(resource).kind !== 'foreign',
          keepSource: (user, source) =>
            this.claimOf(source).kind !== 'foreign' ||
            this.claimOf(user).kind === 'own',
        },
      );
      return { objects, foreign: excluded };
    })();
    return this.selection;
  }

  /** The entities whose objects, matched by the selector, make up an environment. */
  foreignOwnersOfEnvironment(environment: string): string[] {
    const owners = new Set<string>();
    for (const { resource } of this.select().foreign) {
      const claim = this.claimOf(resource);
      if (claim.kind === 'foreign' && environmentOf(resource) === environment) {
        owners.add(describeClaimant(claim));
      }
    }
    return [...owners];
  }

  /** How an object stands to this entity, by its entity-ref annotation. */
  claimOf(resource: FluxResource): Claim {
    return claimOf(resource, this.binding);
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

  /** Whether an object of a cluster is one of the entity's objects. */
  owns(cluster: string, resource: FluxResource): boolean {
    return this.objects().some(
      o =>
        o.watcher.cluster.name === cluster &&
        o.resource.kind === resource.kind &&
        (o.resource.metadata.namespace ?? '') ===
          (resource.metadata.namespace ?? '') &&
        o.resource.metadata.name === resource.metadata.name,
    );
  }

  /**
   * An object of the entity, to read. An object annotated for another
   * entity is refused (403) saying whose it is; one the entity does not
   * claim is not found.
   */
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
    if (this.owns(cluster, resource)) {
      return { watcher, resource };
    }
    const claim = this.claimOf(resource);
    if (claim.kind === 'foreign') {
      throw new NotAllowedError(this.foreignMessage(resource, claim));
    }
    throw new NotFoundError(
      `${kind} ${namespace}/${name} does not belong to ${this.entityRef}`,
    );
  }

  /** An object of the entity that the entity may act on (see requireActionable). */
  actionableObject(
    cluster: string,
    kind: string,
    namespace: string,
    name: string,
  ): EntityObject {
    const object = this.ownedObject(cluster, kind, namespace, name);
    this.requireActionable(object.resource);
    return object;
  }

  /**
   * Refuses (403) unless the source an object uses is the entity's too:
   * reconciling "with its source" acts on the source.
   */
  requireActionableSource({ watcher, resource }: EntityObject): void {
    const source = watcher.sourceOf(resource);
    if (source) {
      this.requireActionable(source);
    }
  }

  /**
   * Refuses (403, nothing changed) unless the object's entity-ref
   * annotation names this entity: the cluster side's half of the proof.
   * Every action, and every read with the portal's credentials on the
   * entity's behalf (a deploy preview), asks this.
   */
  requireActionable(resource: FluxResource): void {
    const reason = this.readOnlyReason(resource);
    if (reason) {
      throw new NotAllowedError(reason);
    }
  }

  /** Why the entity may not act on the object, or nothing if it may. */
  readOnlyReason(resource: FluxResource): string | undefined {
    const claim = this.claimOf(resource);
    if (claim.kind === 'foreign') {
      return this.foreignMessage(resource, claim);
    }
    if (claim.kind === 'unclaimed') {
      return `${describeObject(
        resource,
      )} has no ${ANNOTATION_ENTITY_REF} annotation, so it is read-only in the portal: ${howToClaim(
        this.entityRef,
      )}`;
    }
    return undefined;
  }

  private foreignMessage(
    resource: FluxResource,
    claim: { entityRef: string; boundRepository?: string },
  ): string {
    const self = claim.boundRepository
      ? `${this.entityRef} as registered from ${
          this.binding.entityRepository ?? 'no repository'
        }`
      : this.entityRef;
    return `${describeObject(resource)} belongs to ${describeClaimant(
      claim,
    )} (annotation ${ANNOTATION_ENTITY_REF}), not to ${self}; only its own entity may act on it`;
  }

  /**
   * A deploy recorded for the entity (not for its name as registered from
   * another repository), or through one of its Kustomizations.
   */
  ownsDeploy(deploy: {
    entityRef?: string;
    entityRepository?: string;
    cluster: string;
    namespace: string;
    kustomization: string;
  }): boolean {
    return (
      (deploy.entityRef === this.entityRef &&
        (!deploy.entityRepository ||
          deploy.entityRepository === this.binding.entityRepository)) ||
      this.kustomizations().some(
        k =>
          k.cluster === deploy.cluster &&
          k.namespace === deploy.namespace &&
          k.kustomization === deploy.kustomization,
      )
    );
  }

  /**
   * What the GitOps tab must say about ownership: objects the selector
   * matched that belong to other entities (not shown), objects without an
   * annotation (read-only), those other catalog entities claim too (neither
   * may act), and shared sources of other entities (read-only).
   */
  async ownershipWarnings(): Promise<string[]> {
    return ownershipWarnings(
      {
        entityRef: this.entityRef,
        credentials: this.caller.credentials,
        shown: this.objects().map(o => o.resource),
        excluded: this.select().foreign.map(o => o.resource),
        claimOf: resource => this.claimOf(resource),
      },
      this.claimants,
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
