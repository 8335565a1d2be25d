import { z } from 'zod/v3';
import {
  DNS1123_LABEL,
  FLUX_DURATION,
  GITOPS_ENVIRONMENTS,
} from '@gitops-backstage/plugin-gitops-common';
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
    cluster: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Cluster of this environment from the kubernetes config (production on another cluster than development); defaults to the run's cluster",
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

export const inputSchema = z
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

export const outputSchema = z.object({
  environments: z.array(environmentResult),
  changes: z
    .number()
    .describe('Objects created or changed; 0 when a re-run found all in place'),
});

export type FluxEnvironmentResult = z.infer<typeof environmentResult>;

export type EnvironmentInput = z.output<typeof environmentSchema>;

/** The action's input with each environment's settings merged in. */
export type FluxResourcesInput = Omit<
  z.output<typeof inputSchema>,
  'environments'
> & {
  environments: EnvironmentInput[];
};

/**
 * Parses the action's input, then each environment: a name picks up its
 * `environmentSettings` entry, an object's own keys win over that entry.
 */
export function parseFluxResourcesInput(
  raw: Record<string, unknown>,
  dryRun?: boolean,
): FluxResourcesInput {
  const input = parseActionInput(
    inputSchema,
    dryRun
      ? {
          ...raw,
          repoUrl: dryRunRepoUrl(raw.repoUrl),
          entityRef: dryRunEntityRef(raw.entityRef, raw.id),
        }
      : raw,
  );
  const environments = input.environments.map(env =>
    parseActionInput(
      environmentSchema,
      typeof env === 'string'
        ? { ...input.environmentSettings?.[env], name: env }
        : { ...input.environmentSettings?.[env.name], ...env },
    ),
  );
  return { ...input, environments };
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
