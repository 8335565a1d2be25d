import { z } from 'zod/v3';
import { REPAIR_TYPES } from '@gitops-backstage/plugin-gitops-common';

/** Body of POST /health/run. */
export const runBody = z
  .object({ cluster: z.string().min(1).optional() })
  .strict();

/** Body of POST /health/repairs/plan and /health/repairs (a RepairRequest). */
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
