import { InputError, NotAllowedError } from '@backstage/errors';
import { V1Container, V1Deployment } from '@kubernetes/client-node';
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

/** A Deployment as the cluster has it now: the one read of a Deployment. */
export async function readDeployment(
  clients: ClusterClients,
  context: EnvironmentContext,
  deployment: DeploymentRef,
): Promise<V1Deployment> {
  try {
    return await clients
      .get(context.target.cluster)
      .readDeployment(deployment.namespace, deployment.name);
  } catch (error) {
    throw new Error(
      `reading Deployment ${deployment.namespace}/${
        deployment.name
      }: ${describeKubernetesError(error)}`,
    );
  }
}

/** The containers of a Deployment as the cluster has it now. */
export async function readContainers(
  clients: ClusterClients,
  context: EnvironmentContext,
  deployment: DeploymentRef,
): Promise<V1Container[]> {
  const found = await readDeployment(clients, context, deployment);
  return found.spec?.template.spec?.containers ?? [];
}

/**
 * Refuses to write to a Deployment that the environment's Kustomization did
 * not apply: the inventory it was found in is status, while the labels
 * kustomize-controller sets on what it applies are on the live object.
 */
export function requireAppliedByKustomization(
  context: EnvironmentContext,
  found: V1Deployment,
): void {
  const labels = found.metadata?.labels ?? {};
  const name = labels['kustomize.toolkit.fluxcd.io/name'];
  const namespace = labels['kustomize.toolkit.fluxcd.io/namespace'];
  const { namespace: wantedNamespace, kustomization } = context.target;
  if (name !== kustomization || namespace !== wantedNamespace) {
    throw new NotAllowedError(
      `Deployment ${found.metadata?.namespace}/${
        found.metadata?.name
      } was not applied by Kustomization ${wantedNamespace}/${kustomization} (its labels name ${
        name ? `${namespace}/${name}` : 'no Kustomization'
      }); the portal sets images only on what the environment's Kustomization applied`,
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
