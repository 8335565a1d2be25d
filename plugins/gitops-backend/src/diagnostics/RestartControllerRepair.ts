import { InputError } from '@backstage/errors';
import {
  RepairPlan,
  RepairRequest,
} from '@gitops-backstage/plugin-gitops-common';
import { ClusterClient } from '../cluster/ClusterClient';
import { ClusterWatcher } from '../cluster/ClusterWatcher';
import { FLUX_CONTROLLERS } from './checks/clusterChecks';
import { PlannedRepair, RepairKind, targetOf } from './RepairKind';

const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

/** A rollout restart of one of the Flux controllers' Deployments. */
export class RestartControllerRepair implements RepairKind {
  constructor(private readonly fluxNamespace: string) {}

  async plan(request: RepairRequest): Promise<PlannedRepair> {
    const target = targetOf(request);
    const { fluxNamespace } = this;
    if (
      target.kind !== 'Deployment' ||
      target.namespace !== fluxNamespace ||
      !FLUX_CONTROLLERS.includes(target.name)
    ) {
      throw new InputError(
        `target: only the Flux controllers' Deployments in ${fluxNamespace} can be restarted (${FLUX_CONTROLLERS.join(
          ', ',
        )})`,
      );
    }
    return {
      ...request,
      target,
      summary: `Restart ${target.name}: a rollout restart replaces its pods`,
      steps: [
        {
          action: 'patch',
          object: target,
          description: `set spec.template.metadata.annotations["${RESTARTED_AT}"] to the current time (like kubectl rollout restart)`,
        },
      ],
      warnings: [
        `While ${target.name} restarts, the objects it reconciles are not updated (usually seconds).`,
      ],
    };
  }

  async execute(
    plan: RepairPlan,
    _watcher: ClusterWatcher,
    client: ClusterClient,
  ): Promise<void> {
    const target = plan.target!;
    await client.mergePatch(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: target.name,
        namespace: target.namespace!,
      },
      {
        spec: {
          template: {
            metadata: {
              annotations: { [RESTARTED_AT]: new Date().toISOString() },
            },
          },
        },
      },
    );
  }
}
