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
import { isAppliedBy } from '../cluster/projection';

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
  constructor(
    private readonly clients: ClusterClients,
    options: FluxDriftServiceOptions = {},
  ) {
    this.concurrency = options.concurrency ?? 8;
    this.maxObjects = options.maxObjects ?? 500;
  }

  /**
   * Read afresh on every call: a report shared with a request made after a
   * change would answer the state from before it.
   */
  drift(cluster: string, resource: FluxResource): Promise<DriftReport> {
    return this.read(cluster, resource);
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
          // status.inventory is only a list of names: an object the applier
          // did not label as its own is not read further (a tampered
          // inventory must not make the portal show other objects).
          if (!isAppliedBy(live, resource)) {
            unreadable.push({
              ...ref,
              message: `not labelled as applied by ${resource.kind} ${resource.metadata.namespace}/${resource.metadata.name}; not shown`,
            });
            continue;
          }
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
