import { InputError } from '@backstage/errors';
import { EnvironmentPlan, fluxObjectNames } from '../flux/fluxObjects';
import {
  namespaceProblem,
  overrideProblem,
  ProjectPolicy,
  renderNamespace,
} from '../tenancy/projectPolicy';
import {
  EnvironmentInput,
  FluxResourcesInput,
} from './createFluxResources.schema';

/**
 * Each environment's Flux settings, its namespace checked against the
 * platform's policy and its `dependsOn` resolved to workloads of this run.
 * Every problem is reported at once, by the input field that caused it.
 */
export function planEnvironments(
  input: FluxResourcesInput,
  policy: ProjectPolicy,
): EnvironmentPlan[] {
  const problems: string[] = [];
  if (
    input.namespacePattern !== undefined &&
    input.namespacePattern !== policy.namespacePattern &&
    !policy.allowNamespaceOverrides
  ) {
    problems.push(overrideProblem('namespacePattern', policy));
  }
  const pattern = input.namespacePattern ?? policy.namespacePattern;
  const namespaceOf = (env: EnvironmentInput) =>
    env.namespace ?? renderNamespace(pattern, input.id, env.name);
  const byName = new Map(input.environments.map(e => [e.name, e]));
  const clusterOf = (env: EnvironmentInput) => env.cluster ?? input.cluster;

  const plans = input.environments.map((env, index) => {
    const namespace = namespaceOf(env);
    const field = env.namespace
      ? `${
          input.environmentSettings?.[env.name]?.namespace === env.namespace
            ? `environmentSettings.${env.name}`
            : `environments.${index}`
        }.namespace`
      : 'namespacePattern';
    const problem =
      env.namespace && !policy.allowNamespaceOverrides
        ? overrideProblem(field, policy)
        : namespaceProblem(namespace, field, policy);
    if (problem) {
      problems.push(problem);
    }
    const dependsOn = env.dependsOn.map((dependency, depIndex) => {
      const target = byName.get(dependency);
      if (!target || dependency === env.name) {
        problems.push(
          `environments.${index}.dependsOn.${depIndex}: '${dependency}' is not another environment of this run`,
        );
      } else if (clusterOf(target) !== clusterOf(env)) {
        // A Kustomization waits only for objects on its own cluster.
        problems.push(
          `environments.${index}.dependsOn.${depIndex}: '${dependency}' is on cluster ${
            clusterOf(target) ?? '(default)'
          } and '${env.name}' on ${
            clusterOf(env) ?? '(default)'
          }; Flux can only wait for an environment on the same cluster`,
        );
      }
      return {
        name: fluxObjectNames(input.id, dependency).workload,
        namespace: target ? namespaceOf(target) : '',
      };
    });
    return {
      environment: env.name,
      cluster: clusterOf(env),
      namespace,
      branch: env.branch,
      path: env.path ?? `./k8s/overlays/${env.name}`,
      interval: env.interval,
      sourceInterval: env.sourceInterval,
      timeout: env.timeout,
      autoSync: env.autoSync,
      prune: env.prune,
      wait: env.wait,
      healthChecks: env.healthChecks,
      dependsOn,
      values: env.values,
    };
  });
  if (problems.length > 0) {
    // Same shape as parseActionInput's errors: every field named.
    throw new InputError(`Invalid input: ${[...new Set(problems)].join('; ')}`);
  }
  return plans;
}
