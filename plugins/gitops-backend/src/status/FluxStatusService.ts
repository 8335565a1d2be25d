import { NotFoundError } from '@backstage/errors';
import {
  ClusterState,
  EntityGitOpsStatus,
  EnvironmentStatus,
  FluxObjectStatus,
  fluxObjectStatus,
  fluxKindInfo,
  FluxResource,
  GITOPS_ENVIRONMENTS,
  LABEL_ENVIRONMENT,
  LABEL_KUBERNETES_ID,
  syncState,
  workloadHealth,
  worstState,
} from '@gitops-backstage/plugin-gitops-common';
import { ClusterWatcher } from '../cluster/ClusterWatcher';
import { compileLabelSelector } from '../entities/labelSelector';

/** Answers status questions from the watchers' in-memory copies. */
export class FluxStatusService {
  constructor(readonly watchers: ClusterWatcher[]) {}

  clusters(): ClusterState[] {
    return this.watchers.map(w => ({
      name: w.cluster.name,
      title: w.cluster.title,
      ...w.health(),
    }));
  }

  watcher(cluster: string): ClusterWatcher {
    const watcher = this.watchers.find(w => w.cluster.name === cluster);
    if (!watcher) {
      throw new NotFoundError(`cluster '${cluster}' is not configured`);
    }
    return watcher;
  }

  status(watcher: ClusterWatcher, resource: FluxResource): FluxObjectStatus {
    const mapped = fluxObjectStatus(
      watcher.cluster.name,
      resource,
      LABEL_ENVIRONMENT,
    );
    const status: FluxObjectStatus = {
      ...mapped,
      workloads: mapped.workloads.map(w => {
        const found = watcher.workload(w.kind, w.namespace, w.name);
        return found ? { ...w, ...workloadHealth(found) } : w;
      }),
      dependsOn: mapped.dependsOn.map(d => {
        const dependency = watcher.get(resource.kind, d.namespace, d.name);
        return dependency ? { ...d, state: syncState(dependency) } : d;
      }),
    };
    if (watcher.health().state === 'unreachable') {
      return {
        ...status,
        state: 'Stale',
        message: `last known: ${status.message} (cluster unreachable: ${
          watcher.health().error
        })`,
      };
    }
    return status;
  }

  /** Every object, as the GitOps page lists them. */
  list(): FluxObjectStatus[] {
    return this.watchers.flatMap(w =>
      w.objects().map(resource => this.status(w, resource)),
    );
  }

  findObject(
    cluster: string,
    kind: string,
    namespace: string,
    name: string,
  ): { watcher: ClusterWatcher; resource: FluxResource } {
    const watcher = this.watcher(cluster);
    const resource = watcher.get(kind, namespace, name);
    if (!resource) {
      throw new NotFoundError(
        `${kind} ${namespace}/${name} not found on cluster ${cluster}`,
      );
    }
    return { watcher, resource };
  }

  /**
   * The objects selected for an entity, plus the sources they reference,
   * grouped by environment.
   */
  entityStatus(entityRef: string, selector: string): EntityGitOpsStatus {
    const matches = compileLabelSelector(selector);
    // The common selector, backstage.io/kubernetes-id=<id>, has an index.
    const simple = /^([^=!,()\s]+)\s*==?\s*([^=!,()\s]+)$/.exec(
      selector.trim(),
    );
    const byId =
      simple && simple[1] === LABEL_KUBERNETES_ID ? simple[2] : undefined;
    const environments = new Map<string, FluxObjectStatus[]>();
    for (const watcher of this.watchers) {
      const selected = byId
        ? watcher.objectsWithKubernetesId(byId)
        : watcher.objects().filter(r => matches(r.metadata.labels));
      const seen = new Set(
        selected.map(
          r => `${r.kind}/${r.metadata.namespace}/${r.metadata.name}`,
        ),
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
          // A shared source belongs to the environment of what uses it.
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
      for (const resource of selected) {
        const status = this.status(watcher, resource);
        const environment = status.environment || status.namespace;
        environments.set(environment, [
          ...(environments.get(environment) ?? []),
          status,
        ]);
      }
    }
    return {
      entityRef,
      selector,
      clusters: this.clusters(),
      environments: [...environments.entries()]
        .map(([name, objects]) => summarize(name, objects))
        .sort((a, b) => environmentOrder(a.name) - environmentOrder(b.name)),
    };
  }
}

function summarize(
  name: string,
  objects: FluxObjectStatus[],
): EnvironmentStatus {
  // A failing source fails the environment too: new commits cannot arrive.
  const state = worstState(objects.map(o => o.state));
  const appliers = objects.filter(o => fluxKindInfo(o.kind)?.appliesManifests);
  const relevant = appliers.length > 0 ? appliers : objects;
  const lead =
    objects.find(o => o.state === state && state !== 'Ready') ?? relevant[0];
  objects.sort(
    (a, b) =>
      Number(!fluxKindInfo(a.kind)?.appliesManifests) -
        Number(!fluxKindInfo(b.kind)?.appliesManifests) ||
      a.name.localeCompare(b.name),
  );
  // The revision is what the environment runs: what applied it.
  const applied = relevant[0];
  return {
    name,
    state,
    revision: applied?.revision,
    shortRevision: applied?.shortRevision,
    message: lead?.message,
    lastTransitionTime: lead?.lastTransitionTime,
    objects,
  };
}

function environmentOrder(name: string): number {
  const index = (GITOPS_ENVIRONMENTS as readonly string[]).indexOf(name);
  return index === -1 ? 99 : index;
}
