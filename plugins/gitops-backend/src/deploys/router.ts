import express from 'express';
import Router from 'express-promise-router';
import {
  DeployHistory,
  DeployRecord,
  gitopsDeployPermission,
  gitopsManualDeployPermission,
  gitopsRollbackPermission,
} from '@gitops-backstage/plugin-gitops-common';
import { ActionAudit, ActedOn } from '../actions/ActionAudit';
import { EntityScopeResolver } from '../entities/EntityScopeResolver';
import { parseBody } from '../parseBody';
import { DeployHistoryService } from './DeployHistoryService';
import { GitChangeService } from './GitChangeService';
import { GitDeployService } from './GitDeployService';
import { ManualDeployService } from './ManualDeployService';
import { PipelineReportService } from './PipelineReportService';
import { PreviewService } from './PreviewService';
import {
  deployBody,
  deployChangesQuery,
  deployIdParams,
  environmentParams,
  historyQuery,
  manualBody,
  pipelineBody,
  previewBody,
  rollbackBody,
} from './requests';

export interface DeployRouterOptions {
  scopes: EntityScopeResolver;
  history: DeployHistoryService;
  previews: PreviewService;
  gitChanges: GitChangeService;
  gitDeploys: GitDeployService;
  manualDeploys: ManualDeployService;
  pipelineReports: PipelineReportService;
  audit: ActionAudit;
}

/** The Kustomization a deploy went through (and the Deployment it set). */
function deployTargets(deploy: DeployRecord): ActedOn[] {
  const targets: ActedOn[] = [
    {
      cluster: deploy.cluster,
      kind: 'Kustomization',
      namespace: deploy.namespace,
      name: deploy.kustomization,
    },
  ];
  const details = deploy.details as
    | { deployment?: string; namespace?: string }
    | undefined;
  if (deploy.method === 'manual' && details?.deployment) {
    targets.push({
      cluster: deploy.cluster,
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: details.namespace,
      name: details.deployment,
    });
  }
  return targets;
}

/** Routes under /entities/.../deploys and /deploys/pipeline. */
export function createDeployRouter(
  options: DeployRouterOptions,
): express.Router {
  const { scopes, history, previews, gitChanges, gitDeploys } = options;
  const { manualDeploys, pipelineReports, audit } = options;
  const router = Router();
  const base = '/entities/:kind/:namespace/:name/deploys';

  router.get(base, async (req, res) => {
    const scope = await scopes.forRequest(req);
    const query = parseBody(historyQuery, req.query);
    const body: DeployHistory = { items: await history.list(scope, query) };
    res.json(body);
  });

  router.get(`${base}/:id(\\d+)`, async (req, res) => {
    const { id } = parseBody(deployIdParams, req.params);
    const scope = await scopes.forRequest(req);
    res.json(await history.get(scope, id));
  });

  // What the next sync applies, read from Git with the portal's token:
  // deployers only, as a preview.
  router.get(
    '/entities/:kind/:namespace/:name/environments/:environment/pending',
    async (req, res) => {
      const { environment } = parseBody(environmentParams, req.params);
      const scope = await scopes.forRequest(req);
      await scope.requirePermission(gitopsDeployPermission);
      res.json(await gitChanges.pending(scope, environment));
    },
  );

  // What a deploy changed, read from Git with the portal's token like the
  // pending change: deployers only.
  router.get(`${base}/:id(\\d+)/changes`, async (req, res) => {
    const { id } = parseBody(deployIdParams, req.params);
    const { since } = parseBody(deployChangesQuery, req.query);
    const scope = await scopes.forRequest(req);
    await scope.requirePermission(gitopsDeployPermission);
    res.json(await gitChanges.deployChange(scope, id, since));
  });

  // A preview reads the overlay with the portal's Git token: deployers only.
  router.post(`${base}/preview`, async (req, res) => {
    const body = parseBody(previewBody, req.body);
    const scope = await scopes.forRequest(req);
    await scope.requirePermission(gitopsDeployPermission);
    res.json(await previews.preview(scope, body));
  });

  router.post(base, async (req, res) => {
    const body = parseBody(deployBody, req.body);
    const scope = await scopes.forRequest(req);
    await scope.requirePermission(gitopsDeployPermission);
    const result = await audit.record(
      {
        action: 'deploy',
        actor: scope.caller.ref,
        why: body.message,
        request: req,
      },
      () => gitDeploys.deploy(scope, body),
      r => deployTargets(r.deploy),
    );
    res.status(201).json(result);
  });

  router.post(`${base}/manual`, async (req, res) => {
    const body = parseBody(manualBody, req.body);
    const scope = await scopes.forRequest(req);
    await scope.requirePermission(gitopsManualDeployPermission);
    const result = await audit.record(
      {
        action: 'manual-deploy',
        actor: scope.caller.ref,
        why: body.reason,
        request: req,
      },
      () => manualDeploys.deploy(scope, body),
      r => deployTargets(r.deploy),
    );
    res.status(201).json(result);
  });

  router.post(`${base}/:id(\\d+)/rollback`, async (req, res) => {
    const { id } = parseBody(deployIdParams, req.params);
    const body = parseBody(rollbackBody, req.body);
    const scope = await scopes.forRequest(req);
    await scope.requirePermission(gitopsRollbackPermission);
    const deploy = await history.get(scope, id);
    if (body.dryRun) {
      res.json(await gitDeploys.rollback(scope, deploy, body));
      return;
    }
    const result = await audit.record(
      {
        action: 'rollback',
        actor: scope.caller.ref,
        why: body.message ?? `to deploy ${deploy.id}`,
        request: req,
      },
      () => gitDeploys.rollback(scope, deploy, body),
      r => ('deploy' in r ? deployTargets(r.deploy) : []),
    );
    res.status(201).json(result);
  });

  // Pipelines report with a service token (backend.auth.externalAccess)
  // that gitops.pipelines grants the entity.
  router.post('/deploys/pipeline', async (req, res) => {
    const credentials = await scopes.pipelineCredentials(req);
    const body = parseBody(pipelineBody, req.body);
    const scope = await scopes.forPipelineReport(credentials, body.entityRef);
    const deploy = await audit.record(
      {
        action: 'pipeline-deploy',
        actor: scope.caller.ref,
        why: `commit ${body.revision.slice(0, 12)}${
          body.pipeline ? ` from pipeline ${body.pipeline}` : ''
        }`,
        request: req,
      },
      () => pipelineReports.report(scope, body),
      deployTargets,
    );
    res.status(201).json({ deploy });
  });

  return router;
}
