import { CompoundEntityRef } from '@backstage/catalog-model';
import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  ClusterState,
  DeployHistory,
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
import { FluxObjectRef, GitOpsApi } from './GitOpsApi';

const encode = encodeURIComponent;

function entityPath({ kind, namespace, name }: CompoundEntityRef): string {
  return `/entities/${encode(kind)}/${encode(namespace)}/${encode(name)}`;
}

function objectPath(entity: CompoundEntityRef, o: FluxObjectRef): string {
  return `${entityPath(entity)}/objects/${encode(o.cluster)}/${encode(
    o.kind,
  )}/${encode(o.namespace)}/${encode(o.name)}`;
}

/**
 * Talks to the GitOps backend plugin over HTTP.
 *
 * @public
 */
export class GitOpsClient implements GitOpsApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  async listClusters(): Promise<ClusterState[]> {
    return (await this.request<{ items: ClusterState[] }>('/clusters')).items;
  }

  listObjects(): Promise<FluxObjectList> {
    return this.request('/objects');
  }

  getEntityStatus(entity: CompoundEntityRef): Promise<EntityGitOpsStatus> {
    return this.request(`${entityPath(entity)}/status`);
  }

  async getEvents(
    entity: CompoundEntityRef,
    object: FluxObjectRef,
  ): Promise<FluxEvent[]> {
    return (
      await this.request<{ items: FluxEvent[] }>(
        `${objectPath(entity, object)}/events`,
      )
    ).items;
  }

  getInventory(
    entity: CompoundEntityRef,
    object: FluxObjectRef,
  ): Promise<InventoryTree> {
    return this.request(`${objectPath(entity, object)}/inventory`);
  }

  getPendingChange(
    entity: CompoundEntityRef,
    environment: string,
  ): Promise<PendingChange> {
    return this.request(
      `${entityPath(entity)}/environments/${encode(environment)}/pending`,
    );
  }

  getDeployChange(
    entity: CompoundEntityRef,
    id: number,
    since?: number,
  ): Promise<DeployChange> {
    return this.request(
      `${entityPath(entity)}/deploys/${id}/changes${
        since === undefined ? '' : `?since=${since}`
      }`,
    );
  }

  getDrift(
    entity: CompoundEntityRef,
    object: FluxObjectRef,
  ): Promise<DriftReport> {
    return this.request(`${objectPath(entity, object)}/drift`);
  }

  reconcile(
    entity: CompoundEntityRef,
    object: FluxObjectRef,
    options: { withSource?: boolean } = {},
  ): Promise<FluxActionResult> {
    return this.post(`${objectPath(entity, object)}/reconcile`, options);
  }

  suspend(
    entity: CompoundEntityRef,
    object: FluxObjectRef,
    reason?: string,
  ): Promise<FluxActionResult> {
    return this.post(`${objectPath(entity, object)}/suspend`, { reason });
  }

  resume(
    entity: CompoundEntityRef,
    object: FluxObjectRef,
  ): Promise<FluxActionResult> {
    return this.post(`${objectPath(entity, object)}/resume`, {});
  }

  async getHealthReports(): Promise<HealthReport[]> {
    return (await this.request<{ items: HealthReport[] }>('/health')).items;
  }

  async runHealthCheck(cluster?: string): Promise<HealthReport[]> {
    return (
      await this.post<{ items: HealthReport[] }>('/health/run', { cluster })
    ).items;
  }

  planRepair(request: RepairRequest): Promise<RepairPlan> {
    return this.post('/health/repairs/plan', request);
  }

  applyRepair(request: RepairRequest): Promise<RepairRecord> {
    return this.post('/health/repairs', request);
  }

  async listRepairs(): Promise<RepairRecord[]> {
    return (await this.request<{ items: RepairRecord[] }>('/health/repairs'))
      .items;
  }

  async listDeploys(
    entity: CompoundEntityRef,
    filter: { environment?: string; method?: DeployMethod } = {},
  ): Promise<DeployRecord[]> {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(filter)) {
      if (value) {
        query.set(key, value);
      }
    }
    const suffix = query.toString() ? `?${query}` : '';
    return (
      await this.request<DeployHistory>(
        `${entityPath(entity)}/deploys${suffix}`,
      )
    ).items;
  }

  getDeploy(entity: CompoundEntityRef, id: number): Promise<DeployRecord> {
    return this.request(`${entityPath(entity)}/deploys/${id}`);
  }

  previewDeploy(
    entity: CompoundEntityRef,
    request: DeployRequest,
  ): Promise<DeployPreview> {
    const {
      message: _message,
      expectedOverlayDigest: _digest,
      ...body
    } = request;
    return this.post(`${entityPath(entity)}/deploys/preview`, body);
  }

  deploy(
    entity: CompoundEntityRef,
    request: DeployRequest,
  ): Promise<DeployResult> {
    return this.post(`${entityPath(entity)}/deploys`, request);
  }

  manualDeploy(
    entity: CompoundEntityRef,
    request: ManualDeployRequest,
  ): Promise<ManualDeployResult> {
    return this.post(`${entityPath(entity)}/deploys/manual`, request);
  }

  previewRollback(
    entity: CompoundEntityRef,
    id: number,
  ): Promise<DeployPreview> {
    return this.post(`${entityPath(entity)}/deploys/${id}/rollback`, {
      dryRun: true,
    });
  }

  rollback(
    entity: CompoundEntityRef,
    id: number,
    message?: string,
  ): Promise<DeployResult> {
    return this.post(`${entityPath(entity)}/deploys/${id}/rollback`, {
      message,
    });
  }

  private post<T>(path: string, body: unknown): Promise<T> {
    return this.request(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  private async request<T>(path: string, init?: RequestInit): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('gitops');
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`, init);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}
