import {
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { z } from 'zod/v3';
import {
  DNS1123_LABEL,
  GITOPS_ENVIRONMENTS,
} from '@gitops-backstage/plugin-gitops-common';
import { registeredRepositoryOf } from '@gitops-backstage/plugin-gitops-node';
import {
  clusterClient as defaultClusterClient,
  GitOpsClusterClientFactory,
} from '../flux/clusterClient';
import {
  canonicalEntityRef,
  findEntity,
  requireDeployPermission,
  requireKubernetesId,
  requireOwnOwner,
  requireUser,
} from '../tenancy/entityClaim';
import {
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
import { examples } from './checkProject.examples';
import { parseActionInput } from './parseActionInput';

const inputSchema = z
  .object({
    id: z
      .string()
      .regex(DNS1123_LABEL, 'must be a DNS-1123 label')
      .describe('Project id, as gitops:flux:create will get it'),
    entityRef: z
      .string()
      .min(1)
      .describe('The entity the run registers or sets up'),
    owner: z
      .string()
      .min(1)
      .optional()
      .describe(
        "spec.owner of an entity the run will register: must be the initiator or one of the initiator's groups",
      ),
    environments: z
      .array(z.enum(GITOPS_ENVIRONMENTS))
      .min(1, 'must name at least one environment')
      .refine(
        envs => new Set(envs).size === envs.length,
        'must not repeat an environment',
      )
      .describe('Environment names, as gitops:flux:create will get them'),
    namespacePattern: z
      .string()
      .optional()
      .describe(
        'Namespace per environment, as gitops:flux:create will get it; defaults to gitops.projects.namespacePattern',
      ),
    cluster: z
      .string()
      .optional()
      .describe(
        'Cluster name from the kubernetes config; optional with one cluster',
      ),
  })
  .strict();

const outputSchema = z.object({
  entityExists: z
    .boolean()
    .describe('Whether the entity is in the catalog already (and yours)'),
  namespaces: z.array(z.string()).describe('The namespaces the project gets'),
});

const NOTHING = 'nothing was created';

/** The namespaces of the project, under the platform's policy. */
function planNamespaces(
  input: z.output<typeof inputSchema>,
  policy: ProjectPolicy,
): string[] {
  if (
    input.namespacePattern !== undefined &&
    input.namespacePattern !== policy.namespacePattern &&
    !policy.allowNamespaceOverrides
  ) {
    throw new InputError(
      `Invalid input: ${overrideProblem('namespacePattern', policy)}`,
    );
  }
  const pattern = input.namespacePattern ?? policy.namespacePattern;
  const problems: string[] = [];
  const namespaces = input.environments.map(env => {
    const namespace = renderNamespace(pattern, input.id, env);
    const problem = namespaceProblem(namespace, 'namespacePattern', policy);
    if (problem) {
      problems.push(problem);
    }
    return namespace;
  });
  if (problems.length > 0) {
    throw new InputError(`Invalid input: ${problems.join('; ')}`);
  }
  return namespaces;
}

/**
 * Creates the `gitops:project:check` action: the first step of a template
 * that creates a project, before anything is published or registered. It
 * refuses, with nothing created, a run that `gitops:flux:create` would
 * refuse later for who the entity or the namespaces belong to:
 *
 * - the entity ref exists and the initiator may not set it up
 *   (`gitops.deploy.create`, its owners), or its
 *   `backstage.io/kubernetes-id` is another id;
 * - the entity does not exist yet and `owner` is not the initiator or one
 *   of their groups;
 * - a namespace of the project exists without the entity's claim written
 *   by the portal, or carries the claim of an entity no longer in the
 *   catalog.
 *
 * `gitops:flux:create` checks all of this again (and the repository), so a
 * template that skips this step gets the same refusals, only later.
 *
 * @public
 */
export function createCheckProjectAction(options: {
  config: Config;
  /** The catalog, read with the initiator's credentials. */
  catalog: Pick<CatalogService, 'getEntityByRef'>;
  /** Asks whether the initiator may set up GitOps for an entity. */
  permissions: Pick<PermissionsService, 'authorize'>;
  /** The initiator's ownership refs, for a new entity's owner. */
  userInfo: Pick<UserInfoService, 'getUserInfo'>;
  /** The cluster's API; tests replace it. */
  clusterClient?: GitOpsClusterClientFactory;
}) {
  const policy = readProjectPolicy(options.config);
  const clusterClient = options.clusterClient ?? defaultClusterClient;
  return createTemplateAction({
    id: 'gitops:project:check',
    description:
      "Refuses early, before anything is created, a project whose entity or namespaces are not the initiator's to set up (the checks of gitops:flux:create that need no repository)",
    examples,
    supportsDryRun: true,
    schema: {
      input: () => inputSchema,
      output: () => outputSchema,
    },
    async handler(ctx) {
      const input = parseActionInput(inputSchema, ctx.input);
      const namespaces = planNamespaces(input, policy);
      const { cluster, objects: client } = clusterClient(
        options.config,
        input.cluster,
      );
      if (ctx.isDryRun) {
        ctx.logger.info(
          `Would check ${input.entityRef} and namespaces ${namespaces.join(
            ', ',
          )} on cluster ${cluster.name}`,
        );
        ctx.output('entityExists', false);
        ctx.output('namespaces', namespaces);
        return;
      }

      const entityRef = canonicalEntityRef(input.entityRef, NOTHING);
      const credentials = await ctx.getInitiatorCredentials();
      requireUser(credentials, NOTHING);
      const entity = await findEntity(options.catalog, entityRef, credentials);
      if (entity) {
        await requireDeployPermission(
          options.permissions,
          entity,
          credentials,
          NOTHING,
        );
        requireKubernetesId(entity, input.id, NOTHING);
      } else if (input.owner) {
        await requireOwnOwner(
          options.userInfo,
          credentials,
          input.owner,
          NOTHING,
        );
      }

      const existing = await readExistingObjects(
        client,
        namespaces.map(name => ({
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name },
        })),
        {
          entityRef,
          entityRepository: entity
            ? registeredRepositoryOf(entity).repository
            : undefined,
        },
      );
      if (existing.foreign.length > 0) {
        throw new InputError(
          foreignObjectsMessage(input.id, entityRef, existing.foreign, NOTHING),
        );
      }
      if (existing.claimedByEntity && !entity) {
        // Whoever registers the name next would get them.
        throw new InputError(
          `id: the namespaces of project '${input.id}' are claimed by ${entityRef}, which is not in the catalog (its entity was removed); register that entity again from its repository, or choose another id; ${NOTHING}`,
        );
      }
      ctx.logger.info(
        `${entityRef} ${
          entity ? 'is yours to set up' : 'is not in the catalog yet'
        }; of namespaces ${namespaces.join(', ')} on cluster ${cluster.name}, ${
          existing.found.size
        } exist, each claimed for it`,
      );
      ctx.output('entityExists', Boolean(entity));
      ctx.output('namespaces', namespaces);
    },
  });
}
