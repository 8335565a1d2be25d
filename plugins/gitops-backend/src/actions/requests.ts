import { z } from 'zod/v3';

/** Body of POST .../reconcile. */
export const reconcileBody = z
  .object({ withSource: z.boolean().optional() })
  .strict();

/** Body of POST .../suspend and .../resume. */
export const suspendBody = z
  .object({ reason: z.string().max(500).optional() })
  .strict();
