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

/** Which of the objects a selector picks, and which sources, an entity keeps. */
export interface SelectionPolicy {
  /** Whether a picked object is kept. */
  keep(resource: FluxResource): boolean;
  /** Whether a kept object's source is shown with it. */
  keepSource(user: FluxResource, source: FluxResource): boolean;
}

const keepAll: SelectionPolicy = { keep: () => true, keepSource: () => true };

const keyOf = (r: FluxResource) =>
  `${r.kind}/${r.metadata.namespace ?? ''}/${r.metadata.name}`;

/**
 * The objects a selector picks on every cluster that the policy keeps, plus
 * the sources of the kept ones it allows; the picked objects it refused
 * (and that are not shown as a source) are returned apart. A shared source
 * is given the environment of what uses it.
 */
export function selectEntityObjects(
  watchers: ClusterWatcher[],
  selector: string,
  policy: SelectionPolicy = keepAll,
): { objects: EntityObject[]; excluded: EntityObject[] } {
  const matches = compileLabelSelector(selector);
  // The common selector, backstage.io/kubernetes-id=<id>, has an index.
  const simple = /^([^=!,()\s]+)\s*==?\s*([^=!,()\s]+)$/.exec(selector.trim());
  const byId =
    simple && simple[1] === LABEL_KUBERNETES_ID ? simple[2] : undefined;
  const objects: EntityObject[] = [];
  const excluded: EntityObject[] = [];
  for (const watcher of watchers) {
    const picked = byId
      ? watcher.objectsWithKubernetesId(byId)
      : watcher.objects().filter(r => matches(r.metadata.labels));
    const selected = picked.filter(r => policy.keep(r));
    const seen = new Set(selected.map(keyOf));
    for (const resource of [...selected]) {
      const source = watcher.sourceOf(resource);
      if (
        source &&
        !seen.has(keyOf(source)) &&
        policy.keepSource(resource, source)
      ) {
        seen.add(keyOf(source));
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
    excluded.push(
      ...picked
        .filter(r => !seen.has(keyOf(r)))
        .map(resource => ({ watcher, resource })),
    );
  }
  return { objects, excluded };
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
