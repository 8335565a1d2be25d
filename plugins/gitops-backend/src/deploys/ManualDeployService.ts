import { InputError } from '@backstage/errors';
import {
  ManualDeployRequest,
  ManualDeployResult,
} from '@gitops-backstage/plugin-gitops-common';
import {
  DeployKeyHost,
  describeKubernetesError,
} from '@gitops-backstage/plugin-gitops-node';
import { ClusterClients } from '../cluster/ClusterClients';
import { EntityScope } from '../entities/EntityScope';
import { DeployStore } from './DeployStore';
import {
  pickDeployment,
  readDeployment,
  requireAppliedByKustomization,
} from './deployments';
import {
  environmentContext,
  requireRegisteredSource,
} from './environmentContext';

/** The field manager of manual deploys; the tracker knows it as ours. */
export const MANUAL_FIELD_MANAGER = 'backstage-gitops-manual';

/** Sets an image in the cluster directly, outside Git (server-side apply). */
export class ManualDeployService {
  constructor(
    private readonly options: {
      clients: ClusterClients;
      store: DeployStore;
      /** SSH URLs Flux clones over, mapped to their integration hosts. */
      deployKeyHosts: DeployKeyHost[];
    },
  ) {}

  async deploy(
    scope: EntityScope,
    request: ManualDeployRequest & { deployment?: string },
  ): Promise<ManualDeployResult> {
    const context = environmentContext(scope, request.environment);
    requireRegisteredSource(context, this.options.deployKeyHosts);
    const deployment = pickDeployment(context, request.deployment);
    const live = await readDeployment(
      this.options.clients,
      context,
      deployment,
    );
    requireAppliedByKustomization(context, live);
    const containers = live.spec?.template.spec?.containers ?? [];
    const container = request.container
      ? containers.find(c => c.name === request.container)
      : containers[0];
    if (!container) {
      throw new InputError(
        `container: Deployment ${deployment.name} has no container '${
          request.container
        }' (it has ${containers.map(c => c.name).join(', ')})`,
      );
    }
    try {
      await this.options.clients.get(context.target.cluster).serverSideApply(
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: deployment.name, namespace: deployment.namespace },
          spec: {
            template: {
              spec: {
                containers: [{ name: container.name, image: request.image }],
              },
            },
          },
        },
        MANUAL_FIELD_MANAGER,
        // A manual deploy takes the image over from Flux on purpose.
        true,
      );
    } catch (error) {
      throw new Error(
        `applying the image to Deployment ${deployment.namespace}/${
          deployment.name
        }: ${describeKubernetesError(error)}`,
      );
    }
    const deploy = await this.options.store.insert({
      ...context.target,
      ...scope.binding,
      environment: context.environment,
      method: 'manual',
      status: 'progressing',
      triggeredBy: scope.caller.ref,
      message: request.reason,
      details: {
        deployment: deployment.name,
        namespace: deployment.namespace,
        container: container.name,
        image: request.image,
        previousImage: container.image,
      },
    });
    const suspended = Boolean(context.kustomization.spec?.suspend);
    return {
      deploy: deploy!,
      warning: suspended
        ? undefined
        : `Flux reverts this image at the next reconcile of Kustomization ${
            context.target.namespace
          }/${context.target.kustomization} (every ${
            context.kustomization.spec?.interval ?? '?'
          }); suspend the environment's auto-sync to keep it`,
    };
  }
}
