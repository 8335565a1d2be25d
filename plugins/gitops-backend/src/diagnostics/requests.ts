import { z } from 'zod/v3';
import { REPAIR_TYPES } from '@gitops-backstage/plugin-gitops-common';
import { queryInteger } from '../parseBody';

/** Body of POST /health/run. */
export const runBody = z
  .object({ cluster: z.string().min(1).optional() })
  .strict();

/** Body of POST /health/repairs/plan (a RepairRequest). */
export const repairBody = z
  .object({
    cluster: z.string().min(1),
    type: z.enum(REPAIR_TYPES),
    target: z
      .object({
        kind: z.string().min(1),
        namespace: z.string().optional(),
        name: z.string().min(1),
      })
      .strict()
      .optional(),
  })
  .strict();

/** Body of POST /health/repairs: the request and the digest of its plan. */
export const repairApplyBody = repairBody.extend({
  planDigest: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'must be the digest of the plan you were shown'),
});

/** Query of GET /health/clusters/:cluster/reports. */
export const reportsQuery = z
  .object({ limit: queryInteger(1, 50).optional() })
  .strict();
