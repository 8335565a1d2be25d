import fs from 'node:fs/promises';
import path from 'node:path';
import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { z } from 'zod/v3';
import {
  DNS1123_LABEL,
  ENV_VAR_NAME,
  GITOPS_ENVIRONMENTS,
  IMAGE_REFERENCE,
  RESOURCE_QUANTITY,
} from '@gitops-backstage/plugin-gitops-common';
import { renderManifests } from '../manifests/renderManifests';
import { examples } from './createManifests.examples';
import { parseActionInput } from './parseActionInput';

const quantity = z
  .string()
  .regex(RESOURCE_QUANTITY, 'resource quantities look like 250m, 1.5 or 512Mi')
  .optional();
const quantities = z.object({ cpu: quantity, memory: quantity });

const inputSchema = z.object({
  name: z
    .string()
    .regex(
      DNS1123_LABEL,
      'must be a DNS-1123 label (lower case letters, digits and -, at most 63)',
    )
    .describe('Name of the Deployment and Service'),
  kubernetesId: z
    .string()
    .regex(DNS1123_LABEL, 'must be a DNS-1123 label')
    .optional()
    .describe(
      'Value of the backstage.io/kubernetes-id label; defaults to name',
    ),
  image: z
    .string()
    .min(1, 'must not be empty')
    .regex(IMAGE_REFERENCE, 'is not a valid image reference')
    .describe('Container image of the base Deployment'),
  port: z
    .number()
    .int()
    .min(1)
    .max(65535)
    .default(8080)
    .describe('Container port'),
  targetPath: z
    .string()
    .default('.')
    .describe('Workspace directory to write k8s/ into'),
  replicas: z
    .number()
    .int()
    .min(0)
    .max(100)
    .default(1)
    .describe('Replicas of environments that do not set their own'),
  environments: z
    .array(
      z.union([
        z.enum(GITOPS_ENVIRONMENTS),
        z.object({
          name: z.enum(GITOPS_ENVIRONMENTS),
          replicas: z.number().int().min(0).max(100).optional(),
          image: z
            .string()
            .regex(IMAGE_REFERENCE, 'is not a valid image reference')
            .optional(),
          env: z
            .record(
              z
                .string()
                .regex(
                  ENV_VAR_NAME,
                  'env var names must match [A-Za-z_][A-Za-z0-9_]*',
                ),
              z.string(),
            )
            .optional(),
          resources: z
            .object({
              requests: quantities.optional(),
              limits: quantities.optional(),
            })
            .optional(),
        }),
      ]),
    )
    .min(1, 'must name at least one environment')
    .refine(
      envs =>
        new Set(envs.map(e => (typeof e === 'string' ? e : e.name))).size ===
        envs.length,
      'must not repeat an environment',
    )
    .describe('One entry per environment overlay'),
});

const outputSchema = z.object({
  basePath: z
    .string()
    .describe('Path of the base, as a Flux Kustomization path'),
  overlayPaths: z
    .record(z.string(), z.string())
    .describe('Overlay path per environment, as a Flux Kustomization path'),
});

/**
 * Creates the `gitops:manifests:create` action: writes the Kustomize base and
 * one overlay per environment into the workspace.
 *
 * @public
 */
export function createManifestsAction() {
  return createTemplateAction({
    id: 'gitops:manifests:create',
    description:
      'Writes Kustomize manifests (k8s/base and k8s/overlays/<environment>) for a new service',
    examples,
    supportsDryRun: true,
    schema: {
      input: () => inputSchema,
      output: () => outputSchema,
    },
    async handler(ctx) {
      // The scaffolder checks the JSON schema only; parsing applies defaults
      // and reports the offending field by name.
      const input = parseActionInput(inputSchema, ctx.input);
      const root = resolveSafeChildPath(ctx.workspacePath, input.targetPath);
      const files = renderManifests({
        name: input.name,
        kubernetesId: input.kubernetesId ?? input.name,
        image: input.image,
        port: input.port,
        environments: input.environments.map(env =>
          typeof env === 'string'
            ? { name: env, replicas: input.replicas }
            : { ...env, replicas: env.replicas ?? input.replicas },
        ),
      });

      for (const [relativePath, content] of files) {
        const target = resolveSafeChildPath(root, relativePath);
        if (ctx.isDryRun) {
          ctx.logger.info(`Would write ${relativePath}`);
          continue;
        }
        await fs.mkdir(path.dirname(target), { recursive: true });
        await fs.writeFile(target, content, 'utf8');
        ctx.logger.info(`Wrote ${relativePath}`);
      }

      const prefix = path.posix.normalize(input.targetPath);
      const fluxPath = (p: string) =>
        `./${prefix === '.' ? p : path.posix.join(prefix, p)}`;
      ctx.output('basePath', fluxPath('k8s/base'));
      ctx.output(
        'overlayPaths',
        Object.fromEntries(
          input.environments.map(e => {
            const name = typeof e === 'string' ? e : e.name;
            return [name, fluxPath(`k8s/overlays/${name}`)];
          }),
        ),
      );
    },
  });
}
