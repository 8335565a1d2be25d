import {
  FluxResource,
  GITOPS_ENVIRONMENTS,
  LABEL_ENVIRONMENT,
  LABEL_KUBERNETES_ID,
} from '@gitops-backstage/plugin-gitops-common';
import { ClusterWatcher } from '../cluster/ClusterWatcher';
import { compileLabelSelector } from './labelSelector';

/** A Flux object of an entity, as its cluster's watcher holds it. */
export interface EntityObject {
  watcher: ClusterWatcher;
  resource: FluxResource;
}

/**
 * The objects a selector picks on every cluster, plus the sources they
 * reference. A shared source is given the environment of what uses it.
 */
export function selectEntityObjects(
  watchers: ClusterWatcher[],
  selector: string,
): EntityObject[] {
  const matches = compileLabelSelector(selector);
  // The common selector, backstage.io/kubernetes-id=<id>, has an index.
  const simple = /^([^=!,()\s]+)\s*==?\s*([^=!,()\s]+)$/.exec(selector.trim());
  const byId =
    simple && simple[1] === LABEL_KUBERNETES_ID ? simple[2] : undefined;
  const objects: EntityObject[] = [];
  for (const watcher of watchers) {
    const selected = byId
      ? watcher.objectsWithKubernetesId(byId)
      : watcher.objects().filter(r => matches(r.metadata.labels));
    const seen = new Set(
      selected.map(r => `${r.kind}/${r.metadata.namespace}/${r.metadata.name}`),
    );
    for (const resource of [...selected]) {
      const ref =
        resource.spec?.sourceRef ?? resource.spec?.chart?.spec?.sourceRef;
      if (!ref) {
        continue;
      }
      const namespace = ref.namespace ?? resource.metadata.namespace ?? '';
      const key = `${ref.kind}/${namespace}/${ref.name}`;
      const source = watcher.get(ref.kind, namespace, ref.name);
      if (source && !seen.has(key)) {
        seen.add(key);
        selected.push({
          ...source,
          metadata: {
            ...source.metadata,
            labels: {
              ...source.metadata.labels,
              [LABEL_ENVIRONMENT]:
                source.metadata.labels?.[LABEL_ENVIRONMENT] ??
                resource.metadata.labels?.[LABEL_ENVIRONMENT] ??
                '',
            },
          },
        });
      }
    }
    objects.push(...selected.map(resource => ({ watcher, resource })));
  }
  return objects;
}

/** The environment an object belongs to: its label, else its namespace. */
export function environmentOf(resource: FluxResource): string {
  return (
    resource.metadata.labels?.[LABEL_ENVIRONMENT] ||
    (resource.metadata.namespace ?? '')
  );
}

/** Known environments in promotion order, then the others. */
export function environmentOrder(name: string): number {
  const index = (GITOPS_ENVIRONMENTS as readonly string[]).indexOf(name);
  return index === -1 ? 99 : index;
}
