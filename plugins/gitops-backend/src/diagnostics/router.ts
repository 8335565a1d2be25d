import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod/v3';
import {
  gitopsHealthCheckPermission,
  gitopsRepairPermissions,
  REPAIR_TYPES,
} from '@gitops-backstage/plugin-gitops-common';
import { parseBody } from '../parseBody';
import { DiagnosticsService } from './DiagnosticsService';

const runBody = z.object({ cluster: z.string().min(1).optional() }).strict();
const repairBody = z
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

/** Routes under /health: reports, runs, repair plans, repairs, audit log. */
export function createDiagnosticsRouter(options: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  diagnostics: DiagnosticsService;
}): express.Router {
  const { httpAuth, permissions, diagnostics } = options;
  const router = Router();

  async function authorized(
    req: express.Request,
    permission: typeof gitopsHealthCheckPermission,
  ) {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const [decision] = await permissions.authorize([{ permission }], {
      credentials,
    });
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`${permission.name} is not allowed for you`);
    }
    const actor =
      'userEntityRef' in credentials.principal
        ? (credentials.principal as { userEntityRef: string }).userEntityRef
        : `service:${
            (credentials.principal as { subject?: string }).subject ?? 'unknown'
          }`;
    return { credentials, actor };
  }

  router.get('/health', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    res.json({ items: await diagnostics.latestReports() });
  });

  router.get('/health/clusters/:cluster/reports', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    const limit = Math.min(Number(req.query.limit ?? 20) || 20, 50);
    res.json({ items: await diagnostics.reports(req.params.cluster, limit) });
  });

  router.post('/health/run', async (req, res) => {
    const body = parseBody(runBody, req.body);
    const { actor } = await authorized(req, gitopsHealthCheckPermission);
    res.json({ items: await diagnostics.run(body.cluster, 'manual', actor) });
  });

  router.post('/health/repairs/plan', async (req, res) => {
    const body = parseBody(repairBody, req.body);
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    res.json(await diagnostics.repairs.plan(body));
  });

  router.post('/health/repairs', async (req, res) => {
    const body = parseBody(repairBody, req.body);
    const { credentials, actor } = await authorized(
      req,
      gitopsRepairPermissions[body.type],
    );
    res.json(await diagnostics.repairs.apply(body, actor, credentials));
  });

  router.get('/health/repairs', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    res.json({ items: await diagnostics.auditLog(100) });
  });

  return router;
}
