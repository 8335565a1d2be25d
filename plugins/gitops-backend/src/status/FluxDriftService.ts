import { ServiceUnavailableError } from '@backstage/errors';
import {
  DriftedObject,
  DriftReport,
  driftedFields,
  FLUX_FIELD_MANAGERS,
  FluxResource,
  InventoryRef,
  parseInventoryEntry,
  syncEffectOnDrift,
} from '@gitops-backstage/plugin-gitops-common';
import {
  describeKubernetesError,
  kubernetesErrorCode,
} from '@gitops-backstage/plugin-gitops-node';
import { ClusterClients } from '../cluster/ClusterClients';

export interface FluxDriftServiceOptions {
  /** Inventory objects read at once from one cluster. */
  concurrency?: number;
  /** Inventory objects read per report; the rest are counted, not read. */
  maxObjects?: number;
}

/**
 * Drift of a Kustomization's or HelmRelease's inventory: each object is
 * read live (the watch caches drop managedFields) and its fields owned by
 * other field managers are reported; objects gone from the cluster too.
 */
export class FluxDriftService {
  private readonly concurrency: number;
  private readonly maxObjects: number;
  /**
   * Reports being read: a tab's cards and dialog asking together share one.
   * None is kept once read: a change right after would go unseen.
   */
  private readonly reading = new Map<string, Promise<DriftReport>>();

  constructor(
    private readonly clients: ClusterClients,
    options: FluxDriftServiceOptions = {},
  ) {
    this.concurrency = options.concurrency ?? 8;
    this.maxObjects = options.maxObjects ?? 500;
  }

  drift(cluster: string, resource: FluxResource): Promise<DriftReport> {
    const key = [
      cluster,
      resource.kind,
      resource.metadata.namespace,
      resource.metadata.name,
    ].join('/');
    const pending = this.reading.get(key);
    if (pending) {
      return pending;
    }
    const report = this.read(cluster, resource);
    this.reading.set(key, report);
    const forget = () => this.reading.delete(key);
    report.then(forget, forget);
    return report;
  }

  private async read(
    cluster: string,
    resource: FluxResource,
  ): Promise<DriftReport> {
    const client = this.clients.get(cluster);
    const fluxManager = FLUX_FIELD_MANAGERS[resource.kind];
    const entries: Array<{ id: string; v?: string }> =
      (resource.status as any)?.inventory?.entries ?? [];
    const refs = entries
      .map(parseInventoryEntry)
      .filter((r): r is InventoryRef => r !== undefined);
    const toRead = refs.slice(0, this.maxObjects);
    const objects: DriftedObject[] = [];
    const unreadable: DriftReport['unreadable'] = [];
    let next = 0;
    let unavailable: unknown;
    const worker = async () => {
      while (next < toRead.length && !unavailable) {
        const ref = toRead[next++];
        try {
          const live = await client.read({
            apiVersion: ref.apiVersion,
            kind: ref.kind,
            name: ref.name,
            namespace: ref.namespace || undefined,
          });
          const fields = driftedFields(live, fluxManager);
          if (fields.length > 0) {
            objects.push({ ...ref, drift: 'changed', fields });
          }
        } catch (error) {
          const code = kubernetesErrorCode(error);
          if (code === 404) {
            objects.push({ ...ref, drift: 'missing', fields: [] });
          } else if (code === undefined || code >= 500) {
            unavailable = error;
          } else {
            unreadable.push({
              ...ref,
              message: describeKubernetesError(error),
            });
          }
        }
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(this.concurrency, toRead.length) }, worker),
    );
    if (unavailable) {
      throw new ServiceUnavailableError(
        `cluster '${cluster}': ${describeKubernetesError(unavailable)}`,
      );
    }
    const order = new Map(refs.map((r, i) => [refKey(r), i]));
    objects.sort((a, b) => order.get(refKey(a))! - order.get(refKey(b))!);
    return {
      fluxManager,
      total: refs.length,
      checked: toRead.length,
      objects,
      unreadable,
      syncEffect: syncEffectOnDrift(resource),
      checkedAt: new Date().toISOString(),
    };
  }
}

function refKey(ref: InventoryRef) {
  return `${ref.apiVersion}/${ref.kind}/${ref.namespace}/${ref.name}`;
}
