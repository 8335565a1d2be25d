import express from 'express';
import Router from 'express-promise-router';
import {
  DeployHistory,
  gitopsDeployPermission,
  gitopsManualDeployPermission,
  gitopsRollbackPermission,
} from '@gitops-backstage/plugin-gitops-common';
import { EntityScopeResolver } from '../entities/EntityScope';
import { parseBody } from '../parseBody';
import { DeployHistoryService } from './DeployHistoryService';
import { GitDeployService } from './GitDeployService';
import { ManualDeployService } from './ManualDeployService';
import { PipelineReportService } from './PipelineReportService';
import { PreviewService } from './PreviewService';
import {
  deployBody,
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
  gitDeploys: GitDeployService;
  manualDeploys: ManualDeployService;
  pipelineReports: PipelineReportService;
}

/** Routes under /entities/.../deploys and /deploys/pipeline. */
export function createDeployRouter(
  options: DeployRouterOptions,
): express.Router {
  const { scopes, history, previews, gitDeploys } = options;
  const { manualDeploys, pipelineReports } = options;
  const router = Router();
  const base = '/entities/:kind/:namespace/:name/deploys';

  router.get(base, async (req, res) => {
    const scope = await scopes.forRequest(req);
    const query = parseBody(historyQuery, req.query);
    const body: DeployHistory = { items: await history.list(scope, query) };
    res.json(body);
  });

  router.get(`${base}/:id(\\d+)`, async (req, res) => {
    const scope = await scopes.forRequest(req);
    res.json(await history.get(scope, Number(req.params.id)));
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
    res.status(201).json(await gitDeploys.deploy(scope, body));
  });

  router.post(`${base}/manual`, async (req, res) => {
    const body = parseBody(manualBody, req.body);
    const scope = await scopes.forRequest(req);
    await scope.requirePermission(gitopsManualDeployPermission);
    res.status(201).json(await manualDeploys.deploy(scope, body));
  });

  router.post(`${base}/:id(\\d+)/rollback`, async (req, res) => {
    const body = parseBody(rollbackBody, req.body);
    const scope = await scopes.forRequest(req);
    await scope.requirePermission(gitopsRollbackPermission);
    const deploy = await history.get(scope, Number(req.params.id));
    const result = await gitDeploys.rollback(scope, deploy, body);
    res.status(body.dryRun ? 200 : 201).json(result);
  });

  // Pipelines report with a service token (backend.auth.externalAccess)
  // that gitops.pipelines grants the entity.
  router.post('/deploys/pipeline', async (req, res) => {
    const credentials = await scopes.pipelineCredentials(req);
    const body = parseBody(pipelineBody, req.body);
    const scope = await scopes.forPipelineReport(credentials, body.entityRef);
    const deploy = await pipelineReports.report(scope, body);
    res.status(201).json({ deploy });
  });

  return router;
}
