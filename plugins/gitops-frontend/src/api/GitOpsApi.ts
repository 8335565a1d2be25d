import { CompoundEntityRef } from '@backstage/catalog-model';
import { createApiRef } from '@backstage/core-plugin-api';
import {
  ClusterState,
  EntityGitOpsStatus,
  FluxActionResult,
  FluxEvent,
  FluxObjectList,
  HealthReport,
  RepairPlan,
  RepairRecord,
  RepairRequest,
} from '@gitops-backstage/plugin-gitops-common';

/**
 * A Flux object as the actions address it.
 *
 * @public
 */
export interface FluxObjectRef {
  cluster: string;
  kind: string;
  namespace: string;
  name: string;
}

/**
 * Client of the GitOps backend plugin.
 *
 * @public
 */
export interface GitOpsApi {
  listClusters(): Promise<ClusterState[]>;
  listObjects(): Promise<FluxObjectList>;
  getEntityStatus(entity: CompoundEntityRef): Promise<EntityGitOpsStatus>;
  getEvents(
    entity: CompoundEntityRef,
    object: FluxObjectRef,
  ): Promise<FluxEvent[]>;
  reconcile(
    entity: CompoundEntityRef,
    object: FluxObjectRef,
    options?: { withSource?: boolean },
  ): Promise<FluxActionResult>;
  suspend(
    entity: CompoundEntityRef,
    object: FluxObjectRef,
    reason?: string,
  ): Promise<FluxActionResult>;
  resume(
    entity: CompoundEntityRef,
    object: FluxObjectRef,
  ): Promise<FluxActionResult>;
  /** The latest stored health report of each cluster. */
  getHealthReports(): Promise<HealthReport[]>;
  /** Runs a health check of one cluster, or of all when none is given. */
  runHealthCheck(cluster?: string): Promise<HealthReport[]>;
  planRepair(request: RepairRequest): Promise<RepairPlan>;
  applyRepair(request: RepairRequest): Promise<RepairRecord>;
  listRepairs(): Promise<RepairRecord[]>;
}

/**
 * Reference to the {@link GitOpsApi}.
 *
 * @public
 */
export const gitopsApiRef = createApiRef<GitOpsApi>({
  id: 'plugin.gitops.api',
});
