import { NotFoundError } from '@backstage/errors';
import {
  ClusterState,
  EntityGitOpsStatus,
  EnvironmentStatus,
  FluxObjectStatus,
  fluxObjectStatus,
  fluxKindInfo,
  FluxResource,
  InventoryTree,
  inventoryTree,
  LABEL_ENVIRONMENT,
  syncState,
  workloadHealth,
  workloadProblem,
  worstState,
} from '@gitops-backstage/plugin-gitops-common';
import { ClusterWatcher } from '../cluster/ClusterWatcher';
import { EntityScope } from '../entities/EntityScope';

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

  /**
   * What a Kustomization or HelmRelease applied, nested, from the watcher's
   * copies alone: no request to the cluster per object.
   */
  inventoryTree(
    watcher: ClusterWatcher,
    resource: FluxResource,
  ): InventoryTree {
    return inventoryTree(resource, {
      fluxObject: (kind, namespace, name) => watcher.get(kind, namespace, name),
      workload: (kind, namespace, name) => {
        const found = watcher.workload(kind, namespace, name);
        if (!found) {
          return undefined;
        }
        const health = workloadHealth(found);
        return health.health === 'Healthy'
          ? health
          : { ...health, reason: workloadProblem(found) };
      },
    });
  }

  /** The entity's objects, by environment, as the GitOps tab shows them. */
  async entityStatus(scope: EntityScope): Promise<EntityGitOpsStatus> {
    return {
      entityRef: scope.entityRef,
      selector: scope.selector,
      warnings: await scope.ownershipWarnings(),
      clusters: this.clusters(),
      environments: scope.environments().map(({ name, objects }) =>
        summarize(
          name,
          objects.map(o => {
            const status = this.status(o.watcher, o.resource);
            const readOnly = scope.readOnlyReason(o.resource);
            return readOnly ? { ...status, readOnly } : status;
          }),
        ),
      ),
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
