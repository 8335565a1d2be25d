import {
  FluxEvent,
  FluxResource,
  sourceRefOf,
} from '@gitops-backstage/plugin-gitops-common';
import { describeKubernetesError } from '@gitops-backstage/plugin-gitops-node';
import { ClusterClients } from '../cluster/ClusterClients';

/** The Kubernetes Events of a Flux object and of its source, newest first. */
export class FluxEventsService {
  constructor(private readonly clients: ClusterClients) {}

  async list(cluster: string, resource: FluxResource): Promise<FluxEvent[]> {
    const client = this.clients.get(cluster);
    const targets = [
      {
        kind: resource.kind,
        name: resource.metadata.name,
        namespace: resource.metadata.namespace ?? '',
      },
    ];
    const source = sourceRefOf(resource);
    if (source) {
      targets.push(source);
    }
    try {
      const lists = await Promise.all(
        targets.map(t => client.listEvents(t.namespace, t)),
      );
      return lists
        .flat()
        .map(e => ({
          kind: e.involvedObject.kind ?? '',
          name: e.involvedObject.name ?? '',
          type: e.type ?? 'Normal',
          reason: e.reason ?? '',
          message: (e.message ?? '').trim(),
          count: e.count ?? e.series?.count ?? 1,
          lastSeen: toIso(
            e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp,
          ),
        }))
        .sort((a, b) => (b.lastSeen ?? '').localeCompare(a.lastSeen ?? ''));
    } catch (error) {
      throw new Error(`reading events: ${describeKubernetesError(error)}`);
    }
  }
}

function toIso(value: unknown): string | undefined {
  if (!value) {
    return undefined;
  }
  return value instanceof Date ? value.toISOString() : String(value);
}
