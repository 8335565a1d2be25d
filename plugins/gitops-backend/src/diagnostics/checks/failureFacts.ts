import {
  conditionOfType,
  FailureFacts,
  FLUX_KINDS,
  FluxResource,
  ReferenceFact,
  referencesOf,
  syncState,
} from '@gitops-backstage/plugin-gitops-common';
import { kubernetesErrorCode } from '@gitops-backstage/plugin-gitops-node';
import { ClusterClient } from '../../cluster/ClusterClient';

/** Core kinds a Flux spec refers to; only their existence is read. */
const CORE_KINDS = new Set(['Secret', 'ConfigMap', 'ServiceAccount']);

/** At most this many failing objects get their references read per run. */
const MAX_OBJECTS = 100;

function isNotFound(error: unknown): boolean {
  return kubernetesErrorCode(error) === 404;
}

export function objectKey(o: {
  kind: string;
  metadata: { namespace?: string; name: string };
}): string {
  return `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

/**
 * The facts the classifier needs about each failing object: whether what
 * its spec names exists (Flux objects from the watcher's copy, the rest
 * from the API server), whether the Flux controllers are Available, and
 * the object's Events. Anything that cannot be read stays unknown.
 */
export async function gatherFailureFacts(
  client: ClusterClient,
  fluxNamespace: string,
  objects: FluxResource[],
): Promise<Map<string, FailureFacts>> {
  const watched = new Map(objects.map(o => [objectKey(o), o]));
  const failing = objects
    .filter(o => syncState(o) === 'Failed')
    .slice(0, MAX_OBJECTS);

  const controllers = await client
    .listDeployments(fluxNamespace)
    .then(deployments =>
      deployments.map(d => ({
        name: d.metadata?.name ?? '',
        available:
          d.status?.conditions?.some(
            c => c.type === 'Available' && c.status === 'True',
          ) ?? false,
      })),
    )
    .catch(() => undefined);

  const lookups = new Map<string, Promise<boolean | undefined>>();
  const exists = (kind: string, namespace: string, name: string) => {
    const key = `${kind}/${namespace}/${name}`;
    if (!lookups.has(key)) {
      lookups.set(
        key,
        // Only existence is used; a Secret's data is dropped right here.
        client.read({ apiVersion: 'v1', kind, namespace, name }).then(
          () => true,
          error => (isNotFound(error) ? false : undefined),
        ),
      );
    }
    return lookups.get(key)!;
  };

  const factsOf = async (o: FluxResource): Promise<FailureFacts> => {
    const references: ReferenceFact[] = [];
    for (const ref of referencesOf(o)) {
      if (CORE_KINDS.has(ref.kind)) {
        const found = await exists(ref.kind, ref.namespace, ref.name);
        if (found !== undefined) {
          references.push({ ...ref, exists: found });
        }
        continue;
      }
      if (!FLUX_KINDS.some(k => k.kind === ref.kind)) {
        continue; // not watched: unknown, not missing
      }
      const target = watched.get(objectKey({ kind: ref.kind, metadata: ref }));
      const ready = conditionOfType(target, 'Ready');
      references.push({
        ...ref,
        exists: Boolean(target),
        ...(target && {
          ready: ready
            ? {
                status: ready.status,
                reason: ready.reason,
                message: ready.message,
              }
            : { status: 'Unknown' },
        }),
      });
    }
    const events = await client
      .listEvents(o.metadata.namespace ?? 'default', {
        kind: o.kind,
        name: o.metadata.name,
      })
      .then(list =>
        list
          .map(e => ({
            type: e.type,
            reason: e.reason,
            message: e.message,
            lastTimestamp: isoTime(
              e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp,
            ),
          }))
          .sort((a, b) =>
            (b.lastTimestamp ?? '').localeCompare(a.lastTimestamp ?? ''),
          ),
      )
      .catch(() => undefined);
    return { references, controllers, events };
  };

  const entries = await Promise.all(
    failing.map(async o => [objectKey(o), await factsOf(o)] as const),
  );
  return new Map(entries);
}

function isoTime(time: Date | string | undefined): string | undefined {
  return time instanceof Date ? time.toISOString() : time;
}
