import { InputError } from '@backstage/errors';
import {
  FluxResource,
  RepairPlan,
  RepairRequest,
} from '@gitops-backstage/plugin-gitops-common';
import { FluxActions } from '../actions/FluxActions';
import { ClusterWatcher } from '../cluster/ClusterWatcher';
import { describeRef } from './checks/outcome';
import {
  PlannedRepair,
  RepairKind,
  targetOf,
  watchedObject,
} from './RepairKind';

/** A reconcile of one Flux object, with its source where it has one. */
export class ResyncRepair implements RepairKind {
  constructor(private readonly actions: FluxActions) {}

  async plan(
    request: RepairRequest,
    watcher: ClusterWatcher,
  ): Promise<PlannedRepair> {
    const target = targetOf(request);
    const resource = watchedObject(watcher, target);
    if (resource.spec?.suspend) {
      throw new InputError(
        `target: ${describeRef(target)} is suspended; resume it instead`,
      );
    }
    const withSource = hasSource(resource);
    return {
      ...request,
      target,
      summary: `Reconcile ${describeRef(target)}${
        withSource ? ' with its source' : ''
      }`,
      steps: [
        {
          action: 'reconcile',
          object: target,
          description: `set reconcile.fluxcd.io/requestedAt${
            withSource ? ' on the source, then on the object' : ''
          } and wait until Flux handled it`,
        },
      ],
      warnings: [],
    };
  }

  async execute(plan: RepairPlan, watcher: ClusterWatcher): Promise<void> {
    const resource = watchedObject(watcher, plan.target!);
    await this.actions.reconcile(watcher, resource, {
      withSource: hasSource(resource),
    });
  }
}

function hasSource(resource: FluxResource): boolean {
  return resource.kind === 'Kustomization' || resource.kind === 'HelmRelease';
}
