import { CompoundEntityRef } from '@backstage/catalog-model';
import { createApiRef } from '@backstage/core-plugin-api';
import {
  ClusterState,
  DeployMethod,
  DeployPreview,
  DeployRecord,
  DeployRequest,
  DeployResult,
  DriftReport,
  EntityGitOpsStatus,
  FluxActionResult,
  FluxEvent,
  InventoryTree,
  FluxObjectList,
  HealthReport,
  ManualDeployRequest,
  ManualDeployResult,
  PendingChange,
  DeployChange,
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
  /** What a Kustomization or HelmRelease of the entity applied, nested. */
  getInventory(
    entity: CompoundEntityRef,
    object: FluxObjectRef,
  ): Promise<InventoryTree>;
  /** What the next sync of an environment applies: commits and diff. */
  getPendingChange(
    entity: CompoundEntityRef,
    environment: string,
  ): Promise<PendingChange>;
  /** What a deploy changed: against the previous deploy, or `since`'s row. */
  getDeployChange(
    entity: CompoundEntityRef,
    id: number,
    since?: number,
  ): Promise<DeployChange>;
  /** What differs between a Kustomization's or HelmRelease's inventory and the cluster. */
  getDrift(
    entity: CompoundEntityRef,
    object: FluxObjectRef,
  ): Promise<DriftReport>;
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
  listDeploys(
    entity: CompoundEntityRef,
    filter?: { environment?: string; method?: DeployMethod },
  ): Promise<DeployRecord[]>;
  getDeploy(entity: CompoundEntityRef, id: number): Promise<DeployRecord>;
  previewDeploy(
    entity: CompoundEntityRef,
    request: DeployRequest,
  ): Promise<DeployPreview>;
  deploy(
    entity: CompoundEntityRef,
    request: DeployRequest,
  ): Promise<DeployResult>;
  manualDeploy(
    entity: CompoundEntityRef,
    request: ManualDeployRequest,
  ): Promise<ManualDeployResult>;
  previewRollback(
    entity: CompoundEntityRef,
    id: number,
  ): Promise<DeployPreview>;
  rollback(
    entity: CompoundEntityRef,
    id: number,
    message?: string,
  ): Promise<DeployResult>;
}

/**
 * Reference to the {@link GitOpsApi}.
 *
 * @public
 */
export const gitopsApiRef = createApiRef<GitOpsApi>({
  id: 'plugin.gitops.api',
});
