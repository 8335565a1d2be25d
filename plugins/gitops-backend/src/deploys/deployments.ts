import { InputError } from '@backstage/errors';
import { V1Container } from '@kubernetes/client-node';
import { describeKubernetesError } from '@gitops-backstage/plugin-gitops-node';
import { ClusterClients } from '../cluster/ClusterClients';
import { EnvironmentContext } from './environmentContext';

/** A Deployment of an environment. */
export interface DeploymentRef {
  namespace: string;
  name: string;
}

/** The Deployment a request names, or the environment's only one. */
export function pickDeployment(
  context: EnvironmentContext,
  name?: string,
): DeploymentRef {
  const { deployments, environment } = context;
  if (name) {
    const found = deployments.find(d => d.name === name);
    if (!found) {
      throw new InputError(
        `deployment: '${name}' is not deployed in '${environment}' (found ${
          deployments.map(d => d.name).join(', ') || 'none'
        })`,
      );
    }
    return found;
  }
  if (deployments.length !== 1) {
    throw new InputError(
      deployments.length === 0
        ? `environment: '${environment}' has no Deployment in its Kustomization's inventory yet`
        : `deployment: '${environment}' has ${
            deployments.length
          } Deployments (${deployments
            .map(d => d.name)
            .join(', ')}); name the one to deploy`,
    );
  }
  return deployments[0];
}

/** The containers of a Deployment as the cluster has it now: the one read of a Deployment. */
export async function readContainers(
  clients: ClusterClients,
  context: EnvironmentContext,
  deployment: DeploymentRef,
): Promise<V1Container[]> {
  try {
    const found = await clients
      .get(context.target.cluster)
      .readDeployment(deployment.namespace, deployment.name);
    return found.spec?.template.spec?.containers ?? [];
  } catch (error) {
    throw new Error(
      `reading Deployment ${deployment.namespace}/${
        deployment.name
      }: ${describeKubernetesError(error)}`,
    );
  }
}

/** The name before the Kustomization's namePrefix and nameSuffix. */
export function nameInOverlay(
  context: EnvironmentContext,
  name: string,
): string {
  const prefix = String(context.kustomization.spec?.namePrefix ?? '');
  const suffix = String(context.kustomization.spec?.nameSuffix ?? '');
  let base = name;
  if (prefix && base.startsWith(prefix)) {
    base = base.slice(prefix.length);
  }
  if (suffix && base.endsWith(suffix)) {
    base = base.slice(0, -suffix.length);
  }
  return base;
}
