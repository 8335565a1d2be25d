import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { BasicPermission } from '@backstage/plugin-permission-common';
import express from 'express';
import Router from 'express-promise-router';
import {
  gitopsHealthCheckPermission,
  gitopsRepairPermissions,
} from '@gitops-backstage/plugin-gitops-common';
import { ActionAudit, ActedOn } from '../actions/ActionAudit';
import { callerOf } from '../entities/caller';
import { requirePermission } from '../entities/requirePermission';
import { parseBody } from '../parseBody';
import { DiagnosticsService } from './DiagnosticsService';
import { repairApplyBody, repairBody, reportsQuery, runBody } from './requests';

/** Routes under /health: reports, runs, repair plans, repairs, audit log. */
export function createDiagnosticsRouter(options: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  diagnostics: DiagnosticsService;
  audit: ActionAudit;
}): express.Router {
  const { httpAuth, permissions, diagnostics, audit } = options;
  const router = Router();

  /**
   * The signed-in user, once the policy allows the permission. Service
   * principals are refused: the framework would allow them without asking
   * the policy.
   */
  async function callerWith(req: express.Request, permission: BasicPermission) {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    await requirePermission(permissions, credentials, { permission });
    return callerOf(credentials);
  }

  // Reading reports and the audit log stays open to backend services
  // (e.g. a monitoring or notification backend): nothing changes, no
  // credentials are used on anyone's behalf.
  router.get('/health', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    res.json({ items: await diagnostics.latestReports() });
  });

  router.get('/health/clusters/:cluster/reports', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    const { limit = 20 } = parseBody(reportsQuery, req.query);
    res.json({ items: await diagnostics.reports(req.params.cluster, limit) });
  });

  router.post('/health/run', async (req, res) => {
    const body = parseBody(runBody, req.body);
    const caller = await callerWith(req, gitopsHealthCheckPermission);
    res.json({
      items: await diagnostics.run(body.cluster, 'manual', caller.ref),
    });
  });

  router.post('/health/repairs/plan', async (req, res) => {
    const body = parseBody(repairBody, req.body);
    await callerWith(req, gitopsRepairPermissions[body.type]);
    res.json(await diagnostics.repairs.plan(body));
  });

  // Applies exactly the plan the user saw: 409 if re-planning differs.
  router.post('/health/repairs', async (req, res) => {
    const body = parseBody(repairApplyBody, req.body);
    const caller = await callerWith(req, gitopsRepairPermissions[body.type]);
    const record = await audit.record(
      { action: 'repair', actor: caller.ref, why: body.type, request: req },
      () => diagnostics.repairs.apply(body, caller.ref, caller.credentials),
      applied =>
        applied.outcome === 'applied'
          ? applied.plan.steps.map(
              (step): ActedOn => ({ cluster: body.cluster, ...step.object }),
            )
          : [],
      applied =>
        applied.outcome === 'failed'
          ? applied.error ?? 'the repair failed'
          : undefined,
    );
    res.json(record);
  });

  router.get('/health/repairs', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    res.json({ items: await diagnostics.auditLog(100) });
  });

  return router;
}
