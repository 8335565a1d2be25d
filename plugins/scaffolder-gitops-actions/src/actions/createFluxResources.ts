import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { ScmIntegrations } from '@backstage/integration';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { parseDuration } from '@gitops-backstage/plugin-gitops-common';
import {
  portalCloneUrl,
  readDeployKeyHosts,
  resolveGitCredentials,
} from '@gitops-backstage/plugin-gitops-node';
import {
  clusterClient as defaultClusterClient,
  GitOpsClusterClientFactory,
} from '../flux/clusterClient';
import {
  EnvironmentPlan,
  ProjectPlan,
  renderEnvironmentObjects,
} from '../flux/fluxObjects';
import { planGitAccess, plannedGitSecret } from '../flux/gitAccess';
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
import { readProjectPolicy } from '../tenancy/projectPolicy';
import {
  applyEnvironment,
  EnvironmentRun,
  failureSummary,
} from './createFluxResources.apply';
import { examples } from './createFluxResources.examples';
import { planEnvironments } from './createFluxResources.plans';
import {
  FluxResourcesInput,
  inputSchema,
  outputSchema,
  parseFluxResourcesInput,
} from './createFluxResources.schema';

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
  clusterClient?: GitOpsClusterClientFactory;
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
    input: FluxResourcesInput,
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
      const input = parseFluxResourcesInput(ctx.input, ctx.isDryRun);
      const plans = planEnvironments(input, policy);
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
      // Every cluster the run names is resolved before anything is read
      // or applied: an unknown one stops the run with nothing done.
      const clients = new Map<
        string | undefined,
        ReturnType<GitOpsClusterClientFactory>
      >();
      input.environments.forEach((env, index) => {
        const name = plans[index].cluster;
        if (clients.has(name)) {
          return;
        }
        try {
          clients.set(name, clusterClient(options.config, name));
        } catch (error) {
          if (env.cluster === undefined || !(error instanceof InputError)) {
            throw error;
          }
          throw new InputError(
            error.message.replace(
              /^cluster:/,
              `environments.${index}.cluster:`,
            ),
          );
        }
      });
      const clientOf = (plan: EnvironmentPlan) => clients.get(plan.cluster)!;
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
        } environment(s) on cluster ${[...clients.values()]
          .map(c => c.cluster.name)
          .join(', ')}`,
      );

      const plannedSecret = () =>
        plannedGitSecret(gitAccess, secretCredentials, input.auth);

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
                clientOf(plan).objects,
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

      const run: Omit<EnvironmentRun, 'clusterName' | 'client'> = {
        project,
        repoUrl: input.repoUrl,
        gitAccess,
        integrations,
        fetch: options.fetch,
        dryRun: ctx.isDryRun,
        logger: ctx.logger,
      };
      const results = await Promise.all(
        plans.map(plan =>
          applyEnvironment(
            plan,
            existing.get(plan.environment),
            plannedSecret(),
            {
              ...run,
              clusterName: clientOf(plan).cluster.name,
              client: clientOf(plan).objects,
            },
          ),
        ),
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
