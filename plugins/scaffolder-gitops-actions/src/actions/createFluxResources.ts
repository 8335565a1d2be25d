import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { ScmIntegrations } from '@backstage/integration';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { KubernetesObject } from '@kubernetes/client-node';
import { z } from 'zod/v3';
import {
  DNS1123_LABEL,
  FLUX_DURATION,
  GITOPS_ENVIRONMENTS,
} from '@gitops-backstage/plugin-gitops-common';
import {
  AppliedObject,
  serverSideApply,
} from '@gitops-backstage/plugin-gitops-node';
import { clusterClient } from '../flux/clusterClient';
import {
  EnvironmentPlan,
  fluxObjectNames,
  ProjectPlan,
  renderEnvironmentObjects,
} from '../flux/fluxObjects';
import {
  GitCredentials,
  resolveGitCredentials,
} from '@gitops-backstage/plugin-gitops-node';
import { examples } from './createFluxResources.examples';
import { parseActionInput } from './parseActionInput';

const duration = z
  .string()
  .regex(FLUX_DURATION, 'must be a duration like 30s, 5m or 1h');

const environmentSchema = z.object({
  name: z.enum(GITOPS_ENVIRONMENTS),
  namespace: z
    .string()
    .regex(DNS1123_LABEL, 'must be a DNS-1123 label')
    .optional()
    .describe('Overrides namespacePattern for this environment'),
  branch: z.string().min(1).default('main'),
  path: z
    .string()
    .optional()
    .describe('Kustomization path; defaults to ./k8s/overlays/<environment>'),
  interval: duration.default('5m').describe('Kustomization sync interval'),
  sourceInterval: duration.default('1m').describe('Git fetch interval'),
  timeout: duration.default('2m'),
  autoSync: z
    .boolean()
    .default(true)
    .describe('Off creates the Kustomization (or HelmRelease) suspended'),
  prune: z.boolean().default(true),
  wait: z.boolean().default(false),
  healthChecks: z
    .array(
      z.object({
        apiVersion: z.string().optional(),
        kind: z.string().min(1),
        name: z.string().min(1),
        namespace: z.string().optional(),
      }),
    )
    .optional(),
  dependsOn: z
    .array(z.enum(GITOPS_ENVIRONMENTS))
    .default([])
    .describe('Environments of this project that must be Ready first'),
  values: z.record(z.unknown()).optional().describe('Helm values override'),
});

const inputSchema = z.object({
  id: z
    .string()
    .regex(DNS1123_LABEL, 'must be a DNS-1123 label')
    .describe(
      'Project id: object names and the backstage.io/kubernetes-id label',
    ),
  entityRef: z
    .string()
    .optional()
    .describe('Catalog entity the objects belong to, as an annotation'),
  cluster: z
    .string()
    .optional()
    .describe(
      'Cluster name from the kubernetes config; optional with one cluster',
    ),
  repoUrl: z
    .string()
    .min(1)
    // A refinement, not a pattern: in a dry run the scaffolder feeds the
    // publish step's example output, which must pass its JSON schema.
    .refine(
      url => /^(https?|ssh):\/\/[^\s]+$/.test(url),
      'must be an http(s) or ssh Git URL',
    )
    .describe('Clone URL Flux pulls from'),
  auth: z
    .discriminatedUnion('from', [
      z.object({ from: z.literal('integration') }),
      z.object({
        from: z.literal('secret'),
        secret: z.string().min(1),
        username: z.string().optional(),
        type: z.enum(['basic', 'bearerToken']).default('basic'),
      }),
      z.object({ from: z.literal('none') }),
    ])
    .default({ from: 'integration' })
    .describe(
      'Git credentials for Flux: the Backstage integration of the repo host, a template secret, or none',
    ),
  namespacePattern: z
    .string()
    .default('project-{id}-{env}')
    .describe('Namespace per environment; {id} and {env} are replaced'),
  helm: z
    .object({
      chart: z.string().min(1),
      version: z.string().optional(),
      repositoryUrl: z
        .string()
        .regex(/^(https?|oci):\/\/[^\s]+$/, 'must be an https or oci URL')
        .optional(),
      values: z.record(z.unknown()).optional(),
    })
    .optional()
    .describe('Deploy with a HelmRelease instead of a Kustomization'),
  environments: z
    .array(z.union([z.enum(GITOPS_ENVIRONMENTS), environmentSchema]))
    .min(1, 'must name at least one environment')
    .refine(
      envs =>
        new Set(envs.map(e => (typeof e === 'string' ? e : e.name))).size ===
        envs.length,
      'must not repeat an environment',
    )
    .describe('Environment names, or objects with per-environment settings'),
  environmentSettings: z
    .record(
      z.enum(GITOPS_ENVIRONMENTS),
      environmentSchema.omit({ name: true }).partial(),
    )
    .optional()
    .describe(
      'Settings per environment name, e.g. from a template form; entries in environments win',
    ),
});

const objectRef = z.object({
  apiVersion: z.string(),
  kind: z.string(),
  namespace: z.string().optional(),
  name: z.string(),
  result: z.enum(['created', 'configured', 'unchanged', 'planned']),
});

const environmentResult = z.object({
  name: z.string(),
  cluster: z.string(),
  namespace: z.string(),
  result: z.enum(['applied', 'failed', 'planned']),
  changes: z.number(),
  objects: z.array(objectRef),
  workload: z.object({
    apiVersion: z.string(),
    kind: z.string(),
    namespace: z.string(),
    name: z.string(),
    suspended: z.boolean(),
  }),
  error: z.string().optional(),
});

const outputSchema = z.object({
  environments: z.array(environmentResult),
  changes: z
    .number()
    .describe('Objects created or changed; 0 when a re-run found all in place'),
});

export type FluxEnvironmentResult = z.infer<typeof environmentResult>;

/**
 * Creates the `gitops:flux:create` action: per environment a Namespace, a
 * Git auth Secret, a GitRepository and a Kustomization (or HelmRelease),
 * applied with server-side apply, environments in parallel.
 *
 * @public
 */
export function createFluxResourcesAction(options: { config: Config }) {
  const integrations = ScmIntegrations.fromConfig(options.config);
  return createTemplateAction({
    id: 'gitops:flux:create',
    description:
      'Creates the Flux objects of a project per environment (Namespace, Git auth Secret, GitRepository, Kustomization or HelmRelease) with server-side apply',
    examples,
    supportsDryRun: true,
    schema: {
      input: () => inputSchema,
      output: () => outputSchema,
    },
    async handler(ctx) {
      const input = parseActionInput(
        inputSchema,
        ctx.isDryRun
          ? { ...ctx.input, repoUrl: dryRunRepoUrl(ctx.input.repoUrl) }
          : ctx.input,
      );
      const environments = input.environments.map(env =>
        parseActionInput(
          environmentSchema,
          typeof env === 'string'
            ? { ...input.environmentSettings?.[env], name: env }
            : { ...input.environmentSettings?.[env.name], ...env },
        ),
      );
      const plans = planEnvironments({ ...input, environments });
      // A dry run gets no secrets; it plans the Secret without its values.
      const credentials = ctx.isDryRun
        ? plannedCredentials(input.auth)
        : resolveGitCredentials({
            repoUrl: input.repoUrl,
            auth: input.auth,
            secrets: ctx.secrets,
            integrations,
          });
      const project: ProjectPlan = {
        id: input.id,
        entityRef: input.entityRef,
        repoUrl: input.repoUrl,
        credentials,
        helm: input.helm,
      };
      const { cluster, objects: client } = clusterClient(
        options.config,
        input.cluster,
      );
      ctx.logger.info(
        `${ctx.isDryRun ? 'Planning' : 'Applying'} ${
          plans.length
        } environment(s) on cluster ${cluster.name}`,
      );

      const results = await Promise.all(
        plans.map(async (plan): Promise<FluxEnvironmentResult> => {
          const log = (line: string) =>
            ctx.logger.info(`[${plan.environment}] ${line}`);
          const manifests = renderEnvironmentObjects(project, plan);
          const workload = manifests[manifests.length - 1];
          const result: FluxEnvironmentResult = {
            name: plan.environment,
            cluster: cluster.name,
            namespace: plan.namespace,
            result: ctx.isDryRun ? 'planned' : 'applied',
            changes: 0,
            objects: [],
            workload: {
              apiVersion: workload.apiVersion!,
              kind: workload.kind!,
              namespace: plan.namespace,
              name: workload.metadata!.name!,
              suspended: !plan.autoSync,
            },
          };
          for (const manifest of manifests) {
            if (ctx.isDryRun) {
              result.objects.push({ ...refOf(manifest), result: 'planned' });
              log(`would apply ${describe(manifest)}`);
              continue;
            }
            try {
              const applied = await serverSideApply(client, manifest);
              result.objects.push(applied);
              if (applied.result !== 'unchanged') {
                result.changes += 1;
              }
              log(`${describe(manifest)} ${applied.result}`);
            } catch (error) {
              result.result = 'failed';
              result.error = (error as Error).message;
              log(`failed: ${result.error}`);
              break;
            }
          }
          if (!plan.autoSync && result.result !== 'failed') {
            log(`auto-sync off: ${result.workload.kind} is suspended`);
          }
          return result;
        }),
      );

      const objectCount = results.reduce((n, r) => n + r.objects.length, 0);
      const changes = results.reduce((sum, r) => sum + r.changes, 0);
      if (!ctx.isDryRun) {
        ctx.logger.info(
          `${changes} of ${objectCount} object(s) created or changed, ${
            objectCount - changes
          } unchanged`,
        );
      }
      ctx.output('environments', results);
      ctx.output('changes', changes);
      const failed = results.filter(r => r.result === 'failed');
      if (failed.length > 0) {
        throw new Error(failureSummary(results, failed));
      }
    },
  });
}

function dryRunRepoUrl(repoUrl: unknown): unknown {
  return typeof repoUrl === 'string' && !/^(https?|ssh):\/\//.test(repoUrl)
    ? 'https://repository.invalid/dry-run.git'
    : repoUrl;
}

function plannedCredentials(
  auth: z.output<typeof inputSchema>['auth'],
): GitCredentials | undefined {
  if (auth.from === 'none') {
    return undefined;
  }
  return auth.from === 'secret' && auth.type === 'bearerToken'
    ? { bearerToken: '(planned)' }
    : { username: '(planned)', password: '(planned)' };
}

type EnvironmentInput = z.output<typeof environmentSchema>;
type ActionInput = Omit<z.output<typeof inputSchema>, 'environments'> & {
  environments: EnvironmentInput[];
};

function planEnvironments(input: ActionInput): EnvironmentPlan[] {
  const namespaceOf = (env: EnvironmentInput) =>
    env.namespace ??
    input.namespacePattern
      .replace(/\{id\}/g, input.id)
      .replace(/\{env\}/g, env.name);
  const byName = new Map(input.environments.map(e => [e.name, e]));
  const problems: string[] = [];

  const plans = input.environments.map((env, index) => {
    const namespace = namespaceOf(env);
    if (!DNS1123_LABEL.test(namespace)) {
      problems.push(
        `${
          env.namespace ? `environments.${index}.namespace` : 'namespacePattern'
        }: '${namespace}' is not a DNS-1123 label`,
      );
    }
    const dependsOn = env.dependsOn.map((dependency, depIndex) => {
      const target = byName.get(dependency);
      if (!target || dependency === env.name) {
        problems.push(
          `environments.${index}.dependsOn.${depIndex}: '${dependency}' is not another environment of this run`,
        );
      }
      return {
        name: fluxObjectNames(input.id, dependency).workload,
        namespace: target ? namespaceOf(target) : '',
      };
    });
    return {
      environment: env.name,
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
    throw new InputError(`Invalid input: ${problems.join('; ')}`);
  }
  return plans;
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

function failureSummary(
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
