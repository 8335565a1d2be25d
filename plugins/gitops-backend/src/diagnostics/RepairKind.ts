import { InputError, NotFoundError } from '@backstage/errors';
import {
  FluxResource,
  ObjectRef,
  RepairPlan,
  RepairRequest,
} from '@gitops-backstage/plugin-gitops-common';
import { ClusterClient } from '../cluster/ClusterClient';
import { ClusterWatcher } from '../cluster/ClusterWatcher';
import { describeRef } from './checks/outcome';

/** A plan before RepairService names it by its digest. */
export type PlannedRepair = Omit<RepairPlan, 'digest'>;

/**
 * One kind of repair. Its plan says what will change and touches nothing;
 * `execute` makes exactly those changes, so the two are kept side by side.
 */
export interface RepairKind {
  plan(request: RepairRequest, watcher: ClusterWatcher): Promise<PlannedRepair>;
  execute(
    plan: RepairPlan,
    watcher: ClusterWatcher,
    client: ClusterClient,
  ): Promise<void>;
}

/** The object a repair acts on; a 400 when the request names none. */
export function targetOf(request: RepairRequest): ObjectRef {
  if (!request.target?.name || !request.target.kind) {
    throw new InputError(
      `target: the ${request.type} repair needs a target object`,
    );
  }
  return request.target;
}

/** The target as the watch cache holds it; a 404 when it is not there. */
export function watchedObject(
  watcher: ClusterWatcher,
  target: ObjectRef,
): FluxResource {
  const resource = watcher.get(
    target.kind,
    target.namespace ?? '',
    target.name,
  );
  if (!resource) {
    throw new NotFoundError(
      `${describeRef(target)} not found in cluster ${watcher.cluster.name}`,
    );
  }
  return resource;
}
