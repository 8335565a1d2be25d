import { z } from 'zod/v3';
import {
  DEPLOY_METHODS,
  envNameError,
  imageReferenceError,
  parseQuantity,
  quantityError,
  replicasError,
} from '@gitops-backstage/plugin-gitops-common';
import { queryInteger } from '../parseBody';

// Request schemas of the deploy routes, beside the request types of
// gitops-common they validate (DeployRequest, ManualDeployRequest, ...).

/** A zod refinement from one of the shared checks. */
const checked =
  <T>(check: (value: T) => string | undefined) =>
  (value: T, ctx: z.RefinementCtx) => {
    const error = check(value);
    if (error) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: error });
    }
  };

const quantity = z.string().max(32).superRefine(checked(quantityError));
const quantities = z
  .object({ cpu: quantity.optional(), memory: quantity.optional() })
  .strict();

const changesSchema = z
  .object({
    image: z.string().superRefine(checked(imageReferenceError)).optional(),
    replicas: z.number().superRefine(checked(replicasError)).optional(),
    env: z
      .record(z.string().max(32_768).nullable())
      .superRefine((env, ctx) => {
        const names = Object.keys(env);
        if (names.length > 100) {
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            message: 'at most 100 variables',
          });
        }
        for (const name of names) {
          const error = envNameError(name);
          if (error) {
            ctx.addIssue({
              code: z.ZodIssueCode.custom,
              path: [name],
              message: error,
            });
          }
        }
      })
      .optional(),
    resources: z
      .object({
        requests: quantities.optional(),
        limits: quantities.optional(),
      })
      .strict()
      .superRefine((resources, ctx) => {
        for (const key of ['cpu', 'memory'] as const) {
          const request = parseQuantity(resources.requests?.[key] ?? '');
          const limit = parseQuantity(resources.limits?.[key] ?? '');
          if (request !== undefined && limit !== undefined && request > limit) {
            ctx.addIssue({
              code: z.ZodIssueCode.custom,
              path: ['requests', key],
              message: `the ${key} request ${resources.requests?.[key]} is above its limit ${resources.limits?.[key]}`,
            });
          }
        }
      })
      .optional(),
  })
  .strict()
  .refine(c => Object.values(c).some(v => v !== undefined), {
    message: 'set at least one of image, replicas, env, resources',
  });

const environment = z.string().min(1).max(63);
const deployment = z.string().min(1).max(253).optional();

export const previewBody = z
  .object({ environment, deployment, changes: changesSchema })
  .strict();
export const deployBody = previewBody
  .extend({
    message: z.string().trim().min(1, 'a commit message is required').max(5000),
    expectedOverlayDigest: z.string().max(64).optional(),
  })
  .strict();
export const manualBody = z
  .object({
    environment,
    deployment,
    image: z.string().superRefine(checked(imageReferenceError)),
    container: z.string().max(253).optional(),
    reason: z.string().max(1000).optional(),
  })
  .strict();
export const rollbackBody = z
  .object({
    message: z.string().max(5000).optional(),
    dryRun: z.boolean().optional(),
  })
  .strict();
export const pipelineBody = z
  .object({
    entityRef: z.string().min(1).max(512),
    environment,
    revision: z
      .string()
      .regex(/^[0-9a-f]{40}$/, 'must be a full 40-character commit sha'),
    // Shown as a link in the history: only web addresses, never javascript:.
    pipelineUrl: z
      .string()
      .url()
      .max(1024)
      .regex(/^https?:\/\//i, 'must be an http(s) URL')
      .optional(),
    pipeline: z.string().min(1).max(200).optional(),
  })
  .strict();
export const historyQuery = z
  .object({
    environment: environment.optional(),
    method: z.enum(DEPLOY_METHODS as [string, ...string[]]).optional(),
    limit: queryInteger(1, 500).optional(),
  })
  .strict();

/**
 * The deploy id of a route: the history's integer key (a PostgreSQL
 * integer, so larger ids cannot exist and must not reach the query).
 */
export const deployIdParams = z.object({
  id: z.coerce
    .number()
    .int()
    .min(1)
    .max(2_147_483_647, 'no deploy has an id this large'),
});

/** `?since=`: the other row of the history a deploy is compared with. */
export const deployChangesQuery = z
  .object({ since: queryInteger(1, 2_147_483_647).optional() })
  .strict();

/** The environment a route names, as the entity's status names them. */
export const environmentParams = z.object({
  environment: z.string().min(1).max(253),
});
