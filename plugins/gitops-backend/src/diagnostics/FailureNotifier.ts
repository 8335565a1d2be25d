import { LoggerService } from '@backstage/backend-plugin-api';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { parseEntityRef } from '@backstage/catalog-model';
import {
  ANNOTATION_ENTITY_REF,
  ANNOTATION_ENTITY_REPOSITORY,
  classifyFluxFailure,
  conditionOfType,
  FluxResource,
  syncState,
} from '@gitops-backstage/plugin-gitops-common';
import { GITOPS_FIELD_MANAGER } from '@gitops-backstage/plugin-gitops-node';
import { ClusterWatcher } from '../cluster/ClusterWatcher';
import { ENTITY_CLAIM_FIELD } from '../cluster/projection';

/**
 * The entity the portal bound an object to: the claim project
 * initialization wrote with its own field manager. A claim written by
 * anyone else (a tenant's Git, kubectl) names an entity the writer chose,
 * so its owners are not told about the object.
 */
export function portalBoundEntityRef(
  resource: FluxResource,
): string | undefined {
  const claim = resource.metadata.annotations?.[ANNOTATION_ENTITY_REF];
  const writers = resource.metadata.fieldOwners?.[ENTITY_CLAIM_FIELD] ?? [];
  return claim && writers.includes(GITOPS_FIELD_MANAGER) ? claim : undefined;
}

/**
 * Tells an entity's owners when one of its Flux objects starts failing and
 * when it recovers: only for objects the portal bound to the entity
 * (portalBoundEntityRef), and not the name as registered later from
 * another repository. Driven by the watch; objects that were already
 * failing when the backend started are not announced.
 */
export class FailureNotifier {
  /** Failing objects, and whether their owners were told. */
  private readonly failing = new Map<string, boolean>();

  constructor(
    private readonly deps: {
      notifications: NotificationService;
      logger: LoggerService;
      /** The repository the catalog's entity of a ref was registered from. */
      entityRepositoryOf(entityRef: string): Promise<string | undefined>;
      /** The entity ref the portal's claim on a Namespace names, if any. */
      namespaceClaimOf(
        cluster: string,
        namespace: string,
      ): Promise<string | undefined>;
      /** Notices sent by any replica (NoticeLedger). */
      notices: {
        /** True for the first replica to claim a notice. */
        claim(notice: string): Promise<boolean>;
        /** Gives up a claim whose notice was not sent. */
        release(notice: string): Promise<void>;
      };
    },
  ) {}

  /**
   * The entity to tell: the one the portal bound the object to, in a
   * Namespace the portal claimed for that entity, and only while the
   * catalog's entity of that name is registered from the repository the
   * object was bound to. A tenant writes its objects' annotations (and may
   * apply under any field manager's name); it cannot edit its Namespace.
   */
  private async recipientOf(cluster: string, resource: FluxResource) {
    const entityRef = portalBoundEntityRef(resource);
    if (!entityRef) {
      return undefined;
    }
    const claim = await this.deps.namespaceClaimOf(
      cluster,
      resource.metadata.namespace ?? '',
    );
    if (claim !== entityRef) {
      return undefined;
    }
    const bound = resource.metadata.annotations?.[ANNOTATION_ENTITY_REPOSITORY];
    if (!bound) {
      return entityRef;
    }
    return (await this.deps.entityRepositoryOf(entityRef)) === bound
      ? entityRef
      : undefined;
  }

  watch(watcher: ClusterWatcher): () => void {
    return watcher.onChange(resource => {
      const announce = watcher.health().state === 'ok';
      this.observe(watcher.cluster.name, resource, announce).catch(error =>
        this.deps.logger.warn(`GitOps failure notification failed: ${error}`),
      );
    });
  }

  /** Exposed for tests: one change of one object. */
  async observe(
    cluster: string,
    resource: FluxResource,
    announce: boolean,
  ): Promise<void> {
    if (
      ![
        'Kustomization',
        'HelmRelease',
        'GitRepository',
        'OCIRepository',
        'HelmRepository',
      ].includes(resource.kind)
    ) {
      return;
    }
    const key = `${cluster}/${resource.kind}/${resource.metadata.namespace}/${resource.metadata.name}`;
    const state = syncState(resource);
    if (state === 'Failed' && !this.failing.has(key)) {
      this.failing.set(key, announce);
      if (announce) {
        await this.send(cluster, resource, key, 'failed');
      }
    } else if (state === 'Ready' && this.failing.has(key)) {
      const told = this.failing.get(key);
      this.failing.delete(key);
      if (announce && told) {
        await this.send(cluster, resource, key, 'recovered');
      }
    } else if (state === 'Suspended') {
      this.failing.delete(key);
    }
  }

  private async send(
    cluster: string,
    resource: FluxResource,
    key: string,
    change: 'failed' | 'recovered',
  ) {
    const entityRef = await this.recipientOf(cluster, resource);
    if (!entityRef) {
      return;
    }
    const ready = conditionOfType(resource, 'Ready');
    // Every replica sees this transition; the condition's time names it.
    // Without one nothing tells two transitions apart: sent unclaimed.
    const notice = ready?.lastTransitionTime
      ? `${key}/${change}/${ready.lastTransitionTime}`
      : undefined;
    if (notice && !(await this.deps.notices.claim(notice))) {
      return;
    }
    try {
      await this.sendTo(entityRef, cluster, resource, key, change);
    } catch (error) {
      // Unsent: another replica may send it at its next sight of it.
      if (notice) await this.deps.notices.release(notice);
      throw error;
    }
    // Which replica told whom what: one line per notice across replicas.
    this.deps.logger.info(
      `GitOps notice sent to ${entityRef}: ${key} ${change}`,
    );
  }

  private async sendTo(
    entityRef: string,
    cluster: string,
    resource: FluxResource,
    key: string,
    change: 'failed' | 'recovered',
  ) {
    const ready = conditionOfType(resource, 'Ready');
    const name = `${resource.kind} ${resource.metadata.namespace}/${resource.metadata.name}`;
    const { kind, namespace, name: entityName } = parseEntityRef(entityRef);
    const link = `/catalog/${namespace}/${kind.toLocaleLowerCase(
      'en-US',
    )}/${entityName}/gitops`;
    if (change === 'failed') {
      const { code, cause } = classifyFluxFailure({
        kind: resource.kind,
        reason: ready?.reason,
        message: ready?.message,
      });
      await this.deps.notifications.send({
        recipients: { type: 'entity', entityRef },
        payload: {
          title: `${code}: ${name} is failing in ${cluster}`,
          description: `${cause} Flux says: ${ready?.reason ?? ''} ${(
            ready?.message ?? ''
          ).trim()}`.slice(0, 1000),
          link,
          severity: 'high',
          topic: 'gitops',
          scope: `gitops:${key}`,
        },
      });
    } else {
      await this.deps.notifications.send({
        recipients: { type: 'entity', entityRef },
        payload: {
          title: `Recovered: ${name} is Ready in ${cluster}`,
          description: (ready?.message ?? '').trim().slice(0, 1000),
          link,
          severity: 'normal',
          topic: 'gitops',
          scope: `gitops:${key}`,
        },
      });
    }
  }
}
