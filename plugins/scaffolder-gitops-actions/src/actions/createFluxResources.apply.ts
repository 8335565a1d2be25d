import { ScmIntegrationRegistry } from '@backstage/integration';
import { KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';
import {
  AppliedObject,
  EnsuredDeployKey,
  serverSideApply,
} from '@gitops-backstage/plugin-gitops-node';
import {
  ensureEnvironmentDeployKey,
  settleDeployKey,
  storedPublicKey,
} from '../flux/deployKeyRotation';
import {
  EnvironmentPlan,
  fluxObjectNames,
  ProjectPlan,
  renderEnvironmentObjects,
} from '../flux/fluxObjects';
import { GitAccess } from '../flux/gitAccess';
import { ExistingObjects } from '../tenancy/existingObjects';
import { FluxEnvironmentResult } from './createFluxResources.schema';

/** What the environments of one run share. */
export interface EnvironmentRun {
  project: ProjectPlan;
  /** The clone URL as given: the repository a deploy key is added to. */
  repoUrl: string;
  clusterName: string;
  client: KubernetesObjectApi;
  gitAccess: GitAccess;
  integrations: ScmIntegrationRegistry;
  fetch?: typeof fetch;
  dryRun?: boolean;
  logger: { info(message: string): unknown };
}

/**
 * Applies (or, in a dry run, plans) one environment's objects in order,
 * stopping at its first failure; the result says what was applied. A
 * failure fails this environment only, never the run's others.
 */
export async function applyEnvironment(
  plan: EnvironmentPlan,
  /** What the run read of this environment's objects beforehand. */
  existing: ExistingObjects | Error | undefined,
  /** The Git Secret's data unless a deploy key is issued here. */
  plannedSecret: Record<string, string> | undefined,
  run: EnvironmentRun,
): Promise<FluxEnvironmentResult> {
  const { project, gitAccess, client } = run;
  const log = (line: string) =>
    run.logger.info(`[${plan.environment}] ${line}`);
  const names = fluxObjectNames(project.id, plan.environment);
  const result: FluxEnvironmentResult = {
    name: plan.environment,
    cluster: run.clusterName,
    namespace: plan.namespace,
    result: run.dryRun ? 'planned' : 'applied',
    changes: 0,
    objects: [],
    workload: {
      apiVersion: project.helm
        ? 'helm.toolkit.fluxcd.io/v2'
        : 'kustomize.toolkit.fluxcd.io/v1',
      kind: project.helm ? 'HelmRelease' : 'Kustomization',
      namespace: plan.namespace,
      name: names.workload,
      suspended: !plan.autoSync,
    },
  };
  const fail = (error: unknown) => {
    result.result = 'failed';
    result.error = (error as Error).message;
    log(`failed: ${result.error}`);
    return result;
  };
  if (existing instanceof Error) {
    return fail(existing);
  }

  let gitSecret = plannedSecret;
  let issuedKey: EnsuredDeployKey | undefined;
  let secretStored = false;
  if (gitAccess.kind === 'deployKey' && !run.dryRun) {
    try {
      const key = await ensureEnvironmentDeployKey({
        repoUrl: run.repoUrl,
        host: gitAccess.host,
        projectId: project.id,
        environment: plan.environment,
        storedSecret: existing?.found.get(
          `Secret/${plan.namespace}/${names.secret}`,
        ) as { data?: Record<string, string> } | undefined,
        integrations: run.integrations,
        fetch: run.fetch,
      });
      gitSecret = { ...key.data };
      issuedKey = key;
      log(
        key.created
          ? `read-only deploy key added to ${gitAccess.repository}`
          : `read-only deploy key of ${gitAccess.repository} still in place`,
      );
    } catch (error) {
      return fail(error);
    }
  }

  for (const manifest of renderEnvironmentObjects(project, plan, gitSecret)) {
    if (run.dryRun) {
      result.objects.push({ ...refOf(manifest), result: 'planned' });
      log(`would apply ${describe(manifest)}`);
      continue;
    }
    try {
      const applied = await serverSideApply(client, manifest);
      result.objects.push(applied);
      if (
        manifest.kind === 'Secret' &&
        manifest.metadata?.name === names.secret
      ) {
        secretStored = true;
      }
      if (applied.result !== 'unchanged') {
        result.changes += 1;
      }
      log(`${describe(manifest)} ${applied.result}`);
    } catch (error) {
      fail(error);
      break;
    }
  }
  await settleDeployKey(
    issuedKey,
    secretStored,
    () => storedPublicKey(client, plan.namespace, names.secret),
    log,
  );
  if (!plan.autoSync && result.result !== 'failed') {
    log(`auto-sync off: ${result.workload.kind} is suspended`);
  }
  return result;
}

/** The run's error: each failed environment with what it applied first. */
export function failureSummary(
  results: FluxEnvironmentResult[],
  failed: FluxEnvironmentResult[],
): string {
  const lines = [
    `${failed.length} of ${results.length} environment(s) failed:`,
  ];
  for (const env of failed) {
    const applied = env.objects.map(o => `${describe(o)} (${o.result})`);
    lines.push(
      `- ${env.name}: ${env.error}. Applied before the failure: ${
        applied.length > 0 ? applied.join(', ') : 'nothing'
      }`,
    );
  }
  const succeeded = results.filter(r => r.result !== 'failed');
  if (succeeded.length > 0) {
    lines.push(`Applied completely: ${succeeded.map(r => r.name).join(', ')}`);
  }
  return lines.join('\n');
}

function refOf(object: KubernetesObject) {
  return {
    apiVersion: object.apiVersion!,
    kind: object.kind!,
    namespace: object.metadata?.namespace,
    name: object.metadata!.name!,
  };
}

function describe(object: KubernetesObject | AppliedObject): string {
  const ref =
    'metadata' in object
      ? refOf(object as KubernetesObject)
      : (object as AppliedObject);
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}
