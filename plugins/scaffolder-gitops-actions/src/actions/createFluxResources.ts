import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { ScmIntegrations } from '@backstage/integration';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';
import { z } from 'zod/v3';
import {
  DNS1123_LABEL,
  FLUX_DURATION,
  GITOPS_ENVIRONMENTS,
  parseDuration,
} from '@gitops-backstage/plugin-gitops-common';
import {
  AppliedObject,
  DeployKeyHost,
  deployKeyHostOf,
  EnsuredDeployKey,
  ensureDeployKey,
  GitCredentials,
  portalCloneUrl,
  readDeployKeyHosts,
  resolveGitCredentials,
  serverSideApply,
  sshCloneUrl,
} from '@gitops-backstage/plugin-gitops-node';
import { clusterClient as defaultClusterClient } from '../flux/clusterClient';
import {
  EnvironmentPlan,
  fluxObjectNames,
  ProjectPlan,
  renderEnvironmentObjects,
} from '../flux/fluxObjects';
import {
  canonicalEntityRef,
  findEntity,
  requireDeployPermission,
  requireKubernetesId,
  requirePlainRepoUrl,
  EntityBinding,
  requireRegisteredRepository,
  requireUser,
} from '../tenancy/entityClaim';
import {
  ExistingObjects,
  foreignObjectsMessage,
  readExistingObjects,
} from '../tenancy/existingObjects';
import {
  namespaceProblem,
  overrideProblem,
  ProjectPolicy,
  readProjectPolicy,
  renderNamespace,
} from '../tenancy/projectPolicy';
import { examples } from './createFluxResources.examples';
import { parseActionInput } from './parseActionInput';

const duration = z
  .string()
  .regex(FLUX_DURATION, 'must be a duration like 30s, 5m or 1h');

const environmentSchema = z
  .object({
    name: z.enum(GITOPS_ENVIRONMENTS),
    namespace: z
      .string()
      .regex(DNS1123_LABEL, 'must be a DNS-1123 label')
      .optional()
      .describe(
        'Overrides the namespace of this environment; only where gitops.projects.allowNamespaceOverrides is on',
      ),
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
  })
  // Inputs are whitelisted: a key the action does not know is an error,
  // not something passed along.
  .strict();

const inputSchema = z
  .object({
    id: z
      .string()
      .regex(DNS1123_LABEL, 'must be a DNS-1123 label')
      .describe(
        'Project id: object names and the backstage.io/kubernetes-id label',
      ),
    entityRef: z
      .string()
      .min(1)
      .describe(
        "Catalog entity the project is for: it must exist, be the initiator's (gitops.deploy.create), have the id as its backstage.io/kubernetes-id and be registered from repoUrl's repository; written on every object as its claim",
      ),
    waitForEntity: duration
      .optional()
      .describe(
        'How long to wait for the entity to appear in the catalog, for a template that registered it in an earlier step; without it the entity must exist already',
      ),
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
      .describe(
        'Clone URL Flux pulls from: the repository the entity was registered from (its catalog origin location), as a plain http(s) URL or the SSH URL of a deploy-key host',
      ),
    auth: z
      .discriminatedUnion('from', [
        z.object({ from: z.literal('integration') }).strict(),
        z
          .object({
            from: z.literal('secret'),
            secret: z.string().min(1),
            username: z.string().optional(),
            type: z.enum(['basic', 'bearerToken']).default('basic'),
          })
          .strict(),
        z.object({ from: z.literal('none') }).strict(),
      ])
      .default({ from: 'integration' })
      .describe(
        "Git credentials for Flux: a read-only deploy key per environment added through the Backstage integration of the repo host (gitops.deployKeys), a template secret, or none. The integration's own token is never copied into a tenant namespace.",
      ),
    namespacePattern: z
      .string()
      .optional()
      .describe(
        'Namespace per environment ({id} and {env} are replaced); defaults to gitops.projects.namespacePattern, other values only where overrides are allowed',
      ),
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
      .strict()
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
  })
  .strict();

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
 * Git auth Secret (a read-only deploy key), the ServiceAccount Flux
 * impersonates with its namespaced RoleBinding, a GitRepository and a
 * Kustomization (or HelmRelease), applied with server-side apply,
 * environments in parallel. Namespaces follow the platform's policy.
 *
 * Before it touches the Git host or the cluster, a run checks that the
 * project is the initiator's to set up: the entity exists in the catalog
 * (read with the initiator's credentials), the initiator has
 * `gitops.deploy.create` on it (its owners, in the app's policy), its
 * `backstage.io/kubernetes-id` is the id, and `repoUrl` is the repository
 * it was registered from. Existing objects without the entity's claim
 * (another entity's, or nobody's) are refused, never adopted.
 *
 * @public
 */
export function createFluxResourcesAction(options: {
  config: Config;
  /** The catalog, read with the initiator's credentials. */
  catalog: Pick<CatalogService, 'getEntityByRef'>;
  /** Asks whether the initiator may set up GitOps for the entity. */
  permissions: Pick<PermissionsService, 'authorize'>;
  /** The Git host's API for deploy keys; tests replace it. */
  fetch?: typeof fetch;
  /** The cluster's API; tests replace it. */
  clusterClient?: typeof defaultClusterClient;
  /** How often to look for an entity the run waits for (default 2 s). */
  entityPollMs?: number;
}) {
  const integrations = ScmIntegrations.fromConfig(options.config);
  const policy = readProjectPolicy(options.config);
  const deployKeyHosts = readDeployKeyHosts(options.config);
  const clusterClient = options.clusterClient ?? defaultClusterClient;
  const NOTHING = 'nothing was applied';

  /**
   * Whose project this is, asked before the Git host or the cluster is
   * touched; answers the entity (ref and registered repository) the
   * objects are bound to.
   */
  async function verifyClaim(
    input: z.output<typeof inputSchema>,
    repository: string,
    ctx: {
      getInitiatorCredentials(): Promise<BackstageCredentials>;
      signal?: AbortSignal;
      logger: { info(message: string): unknown };
    },
  ): Promise<EntityBinding> {
    const entityRef = canonicalEntityRef(input.entityRef, NOTHING);
    const credentials = await ctx.getInitiatorCredentials();
    requireUser(credentials, NOTHING);
    const waitMs = parseDuration(input.waitForEntity) ?? 0;
    const entity = await findEntity(options.catalog, entityRef, credentials, {
      waitMs,
      pollMs: options.entityPollMs,
      signal: ctx.signal,
    });
    if (!entity) {
      throw new InputError(
        `entityRef: ${entityRef} is not in the catalog${
          waitMs > 0 ? ` after ${input.waitForEntity}` : ''
        }; register it from its repository first (Flux is only set up for an entity registered from the repository it pulls); ${NOTHING}`,
      );
    }
    await requireDeployPermission(
      options.permissions,
      entity,
      credentials,
      NOTHING,
    );
    requireKubernetesId(entity, input.id, NOTHING);
    requireRegisteredRepository(entity, repository, NOTHING);
    ctx.logger.info(
      `${entityRef} may be set up by you, for its repository ${repository}`,
    );
    return { entityRef, entityRepository: repository };
  }

  return createTemplateAction({
    id: 'gitops:flux:create',
    description:
      'Creates the Flux objects of a project per environment (Namespace, Git deploy key Secret, ServiceAccount and RoleBinding Flux impersonates, GitRepository, Kustomization or HelmRelease) with server-side apply',
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
          ? {
              ...ctx.input,
              repoUrl: dryRunRepoUrl(ctx.input.repoUrl),
              entityRef: dryRunEntityRef(ctx.input.entityRef, ctx.input.id),
            }
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
      const plans = planEnvironments({ ...input, environments }, policy);
      // Before any other parser sees it: a URL that parsers could read as
      // two repositories is refused, not normalised.
      const repository = ctx.isDryRun
        ? undefined
        : requirePlainRepoUrl(input.repoUrl, deployKeyHosts, NOTHING);
      const gitAccess = planGitAccess(input, deployKeyHosts, ctx.isDryRun);
      // A template secret is resolved once; a dry run gets no secrets.
      const secretCredentials =
        gitAccess.kind === 'secret' && !ctx.isDryRun
          ? resolveGitCredentials({
              repoUrl: input.repoUrl,
              auth: input.auth,
              secrets: ctx.secrets,
              integrations,
            })
          : undefined;
      const { cluster, objects: client } = clusterClient(
        options.config,
        input.cluster,
      );
      // A dry run plans from the template alone: a template registers its
      // entity in a step a dry run skips.
      const binding: EntityBinding =
        repository === undefined
          ? { entityRef: input.entityRef }
          : await verifyClaim(input, repository, ctx);
      const { entityRef } = binding;
      const project: ProjectPlan = {
        id: input.id,
        entityRef,
        entityRepository: binding.entityRepository,
        repoUrl: gitAccess.fluxUrl,
        webUrl:
          gitAccess.kind === 'deployKey' && !ctx.isDryRun
            ? portalCloneUrl(
                gitAccess.fluxUrl,
                deployKeyHosts,
                integrations,
              ).replace(/\.git$/, '')
            : undefined,
        helm: input.helm,
      };
      ctx.logger.info(
        `${ctx.isDryRun ? 'Planning' : 'Applying'} ${
          plans.length
        } environment(s) on cluster ${cluster.name}`,
      );

      const plannedSecret = (): Record<string, string> | undefined => {
        if (gitAccess.kind === 'none') {
          return undefined;
        }
        if (gitAccess.kind === 'deployKey') {
          return {
            identity: '(planned)',
            'identity.pub': '(planned)',
            known_hosts: gitAccess.host.knownHosts,
          };
        }
        return secretCredentials
          ? (secretCredentials as Record<string, string>)
          : plannedCredentials(input.auth);
      };

      // Everything the run would touch is read first: an object without
      // this entity's claim (another entity's, or nobody's) stops the whole
      // run before anything is applied.
      const existing = new Map<string, ExistingObjects | Error>();
      if (!ctx.isDryRun) {
        await Promise.all(
          plans.map(async plan => {
            existing.set(
              plan.environment,
              await readExistingObjects(
                client,
                renderEnvironmentObjects(project, plan, plannedSecret()),
                binding,
              ).catch((error: Error) => error),
            );
          }),
        );
        const foreign = [...existing.values()].flatMap(e =>
          e instanceof Error ? [] : e.foreign,
        );
        if (foreign.length > 0) {
          throw new InputError(
            `Invalid input: ${foreignObjectsMessage(
              input.id,
              entityRef,
              foreign,
              NOTHING,
            )}`,
          );
        }
      }

      const results = await Promise.all(
        plans.map(async (plan): Promise<FluxEnvironmentResult> => {
          const log = (line: string) =>
            ctx.logger.info(`[${plan.environment}] ${line}`);
          const names = fluxObjectNames(input.id, plan.environment);
          const result: FluxEnvironmentResult = {
            name: plan.environment,
            cluster: cluster.name,
            namespace: plan.namespace,
            result: ctx.isDryRun ? 'planned' : 'applied',
            changes: 0,
            objects: [],
            workload: {
              apiVersion: input.helm
                ? 'helm.toolkit.fluxcd.io/v2'
                : 'kustomize.toolkit.fluxcd.io/v1',
              kind: input.helm ? 'HelmRelease' : 'Kustomization',
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
          const found = existing.get(plan.environment);
          if (found instanceof Error) {
            return fail(found);
          }

          let gitSecret = plannedSecret();
          let issuedKey: EnsuredDeployKey | undefined;
          let secretStored = false;
          if (gitAccess.kind === 'deployKey' && !ctx.isDryRun) {
            try {
              const previous = found?.found.get(
                `Secret/${plan.namespace}/${names.secret}`,
              ) as { data?: Record<string, string> } | undefined;
              const key = await ensureDeployKey({
                repoUrl: input.repoUrl,
                host: gitAccess.host,
                title: `flux ${input.id} ${plan.environment}`,
                existingPrivateKey: previous?.data?.identity
                  ? Buffer.from(previous.data.identity, 'base64').toString()
                  : undefined,
                integrations,
                fetch: options.fetch,
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

          for (const manifest of renderEnvironmentObjects(
            project,
            plan,
            gitSecret,
          )) {
            if (ctx.isDryRun) {
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

/**
 * A new deploy key replaces the previous one only once its Secret is
 * stored; when the Secret was not written, the new key goes again and the
 * environment keeps the key it had. An apply that answered an error may
 * still have landed: the Secret is read before the key is taken back.
 */
async function settleDeployKey(
  key: EnsuredDeployKey | undefined,
  secretStored: boolean,
  readStoredPublicKey: () => Promise<string | undefined>,
  log: (line: string) => void,
): Promise<void> {
  if (!key?.created) {
    return;
  }
  try {
    const stored =
      secretStored ||
      (await readStoredPublicKey().catch(() => undefined)) ===
        key.data['identity.pub'];
    if (stored) {
      await key.retirePrevious();
    } else {
      await key.withdraw();
      log('the new deploy key was removed again: its Secret was not written');
    }
  } catch (error) {
    log(`the deploy keys could not be tidied: ${(error as Error).message}`);
  }
}

/** The public key a Git Secret holds now, if any. */
async function storedPublicKey(
  client: KubernetesObjectApi,
  namespace: string,
  name: string,
): Promise<string | undefined> {
  const secret = (await client.read({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace },
  })) as { data?: Record<string, string> };
  const pub = secret.data?.['identity.pub'];
  return pub ? Buffer.from(pub, 'base64').toString() : undefined;
}

type GitAccess =
  | {
      kind: 'deployKey';
      host: DeployKeyHost;
      fluxUrl: string;
      repository: string;
    }
  | { kind: 'secret' | 'none'; fluxUrl: string };

/**
 * How Flux reaches the repository. From the integration it gets a read-only
 * deploy key over SSH; the integration's own credential never leaves the
 * portal.
 */
function planGitAccess(
  input: { repoUrl: string; auth: z.output<typeof inputSchema>['auth'] },
  hosts: DeployKeyHost[],
  dryRun?: boolean,
): GitAccess {
  if (input.auth.from === 'none') {
    return { kind: 'none', fluxUrl: input.repoUrl };
  }
  if (input.auth.from === 'secret') {
    return { kind: 'secret', fluxUrl: input.repoUrl };
  }
  const host = deployKeyHostOf(input.repoUrl, hosts);
  if (!host && dryRun) {
    // A dry run may be fed a publish step's example URL of any host.
    return {
      kind: 'deployKey',
      host: { host: '(planned)', sshUrl: '(planned)', knownHosts: '(planned)' },
      fluxUrl: input.repoUrl,
      repository: input.repoUrl,
    };
  }
  if (!host) {
    const name = /^ssh:\/\//.test(input.repoUrl)
      ? input.repoUrl
      : new URL(input.repoUrl).host;
    throw new InputError(
      `Invalid input: auth: Flux gets a read-only deploy key, never the integration's own credential, and ${name} is not a deploy-key host; add it under gitops.deployKeys or use auth.from: secret`,
    );
  }
  const fluxUrl = sshCloneUrl(input.repoUrl, host);
  return {
    kind: 'deployKey',
    host,
    fluxUrl,
    repository: fluxUrl.slice(host.sshUrl.length + 1),
  };
}

/** A dry run may be fed a register step's example output. */
function dryRunEntityRef(entityRef: unknown, id: unknown): unknown {
  return typeof entityRef === 'string' &&
    /^[^:/]+:([^:/]+\/)?[^:/]+$/.test(entityRef)
    ? entityRef
    : `component:default/${typeof id === 'string' ? id : 'dry-run'}`;
}

function dryRunRepoUrl(repoUrl: unknown): unknown {
  return typeof repoUrl === 'string' && !/^(https?|ssh):\/\//.test(repoUrl)
    ? 'https://repository.invalid/dry-run/dry-run.git'
    : repoUrl;
}

function plannedCredentials(
  auth: z.output<typeof inputSchema>['auth'],
): Record<string, string> | undefined {
  if (auth.from === 'none') {
    return undefined;
  }
  const planned: GitCredentials =
    auth.from === 'secret' && auth.type === 'bearerToken'
      ? { bearerToken: '(planned)' }
      : { username: '(planned)', password: '(planned)' };
  return planned as Record<string, string>;
}

type EnvironmentInput = z.output<typeof environmentSchema>;
type ActionInput = Omit<z.output<typeof inputSchema>, 'environments'> & {
  environments: EnvironmentInput[];
};

function planEnvironments(
  input: ActionInput,
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
    throw new InputError(`Invalid input: ${[...new Set(problems)].join('; ')}`);
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
