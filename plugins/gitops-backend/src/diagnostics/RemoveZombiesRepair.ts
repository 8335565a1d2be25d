import { AuthService } from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ANNOTATION_ENTITY_REF,
  FluxResource,
  MANAGED_BY_VALUE,
  RepairPlan,
  RepairRequest,
} from '@gitops-backstage/plugin-gitops-common';
import { ClusterClient } from '../cluster/ClusterClient';
import { ClusterWatcher } from '../cluster/ClusterWatcher';
import { refOf } from './checks/outcome';
import { PlannedRepair, RepairKind } from './RepairKind';

/**
 * Deletes the Flux objects the portal created whose catalog entity is gone
 * (zombies); the health check lists them with the same lookup.
 */
export class RemoveZombiesRepair implements RepairKind {
  constructor(
    private readonly deps: { catalog: CatalogService; auth: AuthService },
  ) {}

  async plan(
    request: RepairRequest,
    watcher: ClusterWatcher,
  ): Promise<PlannedRepair> {
    const zombies = await this.findZombies(watcher);
    return {
      ...request,
      target: undefined,
      summary:
        zombies.length === 0
          ? 'No zombie resources: every object the portal created belongs to an entity in the catalog'
          : `Delete ${zombies.length} Flux object(s) created by the portal whose catalog entity no longer exists`,
      steps: zombies.map(({ resource, entityRef }) => ({
        action: 'delete' as const,
        object: refOf(resource),
        description: `its entity ${entityRef} is not in the catalog`,
      })),
      warnings: zombies.some(z => (z.resource.spec as any)?.prune)
        ? [
            'Kustomizations with prune: true delete the workloads they applied when they are deleted.',
          ]
        : [],
    };
  }

  /** Objects carrying our labels whose entity the catalog no longer has. */
  async findZombies(
    watcher: ClusterWatcher,
  ): Promise<Array<{ resource: FluxResource; entityRef: string }>> {
    const ours = watcher
      .objects()
      .filter(
        o =>
          o.metadata.labels?.['app.kubernetes.io/managed-by'] ===
            MANAGED_BY_VALUE && o.metadata.annotations?.[ANNOTATION_ENTITY_REF],
      );
    const refs = [
      ...new Set(ours.map(o => o.metadata.annotations![ANNOTATION_ENTITY_REF])),
    ];
    if (refs.length === 0) {
      return [];
    }
    // Existence is asked with the backend's own rights: an entity the
    // caller may not see is not a zombie.
    const { items } = await this.deps.catalog.getEntitiesByRefs(
      { entityRefs: refs, fields: ['kind', 'metadata.name'] },
      { credentials: await this.deps.auth.getOwnServiceCredentials() },
    );
    const missing = new Set(refs.filter((_, i) => !items[i]));
    return ours
      .filter(o => missing.has(o.metadata.annotations![ANNOTATION_ENTITY_REF]))
      .map(resource => ({
        resource,
        entityRef: resource.metadata.annotations![ANNOTATION_ENTITY_REF],
      }));
  }

  async execute(
    plan: RepairPlan,
    watcher: ClusterWatcher,
    client: ClusterClient,
  ): Promise<void> {
    for (const step of plan.steps) {
      const resource = watcher.get(
        step.object.kind,
        step.object.namespace ?? '',
        step.object.name,
      );
      if (!resource) continue;
      // The object the plan listed, not one re-created under its name.
      await client.delete(
        {
          apiVersion: resource.apiVersion,
          kind: resource.kind,
          name: resource.metadata.name,
          namespace: resource.metadata.namespace,
        },
        { uid: resource.metadata.uid },
      );
    }
  }
}
