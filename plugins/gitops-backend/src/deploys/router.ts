import {
  AuthService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod/v3';
import {
  DEPLOY_METHODS,
  DeployHistory,
  entityLabelSelector,
  envNameError,
  gitopsDeployPermission,
  gitopsManualDeployPermission,
  gitopsRollbackPermission,
  imageReferenceError,
  parseQuantity,
  quantityError,
  replicasError,
} from '@gitops-backstage/plugin-gitops-common';
import { FluxStatusService } from '../status/FluxStatusService';
import { EntityAccess, EntityAccessResolver } from '../entities/EntityScope';
import { parseBody } from '../parseBody';
import { DeployService, Requester } from './DeployService';
import { DeployStore } from './DeployStore';

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

const previewBody = z
  .object({ environment, deployment, changes: changesSchema })
  .strict();
const deployBody = previewBody
  .extend({
    message: z.string().trim().min(1, 'a commit message is required').max(5000),
    expectedOverlayDigest: z.string().max(64).optional(),
  })
  .strict();
const manualBody = z
  .object({
    environment,
    deployment,
    image: z.string().superRefine(checked(imageReferenceError)),
    container: z.string().max(253).optional(),
    reason: z.string().max(1000).optional(),
  })
  .strict();
const rollbackBody = z
  .object({
    message: z.string().max(5000).optional(),
    dryRun: z.boolean().optional(),
  })
  .strict();
const pipelineBody = z
  .object({
    entityRef: z.string().min(1).max(512),
    environment,
    revision: z
      .string()
      .regex(/^[0-9a-f]{40}$/, 'must be a full 40-character commit sha'),
    pipelineUrl: z.string().url().max(1024).optional(),
    pipeline: z.string().min(1).max(200).optional(),
  })
  .strict();
const historyQuery = z
  .object({
    environment: environment.optional(),
    method: z.enum(DEPLOY_METHODS as [string, ...string[]]).optional(),
    limit: z.coerce.number().int().min(1).max(500).optional(),
  })
  .strict();

export interface DeployRouterOptions {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  catalog: CatalogService;
  auth: AuthService;
  status: FluxStatusService;
  store: DeployStore;
  deploys: DeployService;
}

export function createDeployRouter(
  options: DeployRouterOptions,
): express.Router {
  const { httpAuth, catalog, auth, status, store, deploys } = options;
  const router = Router();
  const access = new EntityAccessResolver(options);
  const base = '/entities/:kind/:namespace/:name/deploys';

  async function requester(who: EntityAccess): Promise<Requester> {
    const name = who.who.includes('/')
      ? parseEntityRef(who.who).name
      : 'backstage';
    const user = who.who.startsWith('user:')
      ? await catalog
          .getEntityByRef(who.who, { credentials: who.credentials })
          .catch(() => undefined)
      : undefined;
    const profile = (user?.spec as any)?.profile ?? {};
    return {
      ref: who.who,
      identity: {
        name: profile.displayName ?? name,
        email: profile.email ?? `${name}@users.noreply.backstage`,
      },
    };
  }

  router.get(base, async (req, res) => {
    const who = await access.resolve(req);
    const query = parseBody(historyQuery, req.query);
    const targets = status
      .entityStatus(who.entityRef, who.selector)
      .environments.flatMap(e => e.objects)
      .filter(o => o.kind === 'Kustomization')
      .map(o => ({
        cluster: o.cluster,
        namespace: o.namespace,
        kustomization: o.name,
      }));
    const body: DeployHistory = {
      items: await store.list({
        entityRef: who.entityRef,
        targets,
        environment: query.environment,
        method: query.method as any,
        limit: query.limit,
      }),
    };
    res.json(body);
  });

  router.get(`${base}/:id(\\d+)`, async (req, res) => {
    const who = await access.resolve(req);
    res.json(await deployOf(who, Number(req.params.id)));
  });

  router.post(`${base}/preview`, async (req, res) => {
    const body = parseBody(previewBody, req.body);
    const who = await access.resolve(req);
    const context = deploys.context(
      who.entityRef,
      who.selector,
      body.environment,
    );
    res.json(await deploys.preview(context, body.changes, body.deployment));
  });

  router.post(base, async (req, res) => {
    const body = parseBody(deployBody, req.body);
    const who = await access.resolve(req);
    await access.authorize(who, gitopsDeployPermission);
    const context = deploys.context(
      who.entityRef,
      who.selector,
      body.environment,
    );
    const result = await deploys.deploy(
      context,
      body,
      await requester(who),
      who.entityRef,
    );
    res.status(201).json(result);
  });

  router.post(`${base}/manual`, async (req, res) => {
    const body = parseBody(manualBody, req.body);
    const who = await access.resolve(req);
    await access.authorize(who, gitopsManualDeployPermission);
    const context = deploys.context(
      who.entityRef,
      who.selector,
      body.environment,
    );
    res
      .status(201)
      .json(
        await deploys.manualDeploy(
          context,
          body,
          await requester(who),
          who.entityRef,
        ),
      );
  });

  router.post(`${base}/:id(\\d+)/rollback`, async (req, res) => {
    const body = parseBody(rollbackBody, req.body);
    const who = await access.resolve(req);
    await access.authorize(who, gitopsRollbackPermission);
    const deploy = await deployOf(who, Number(req.params.id));
    const context = deploys.context(
      who.entityRef,
      who.selector,
      deploy.environment,
    );
    if (
      context.target.cluster !== deploy.cluster ||
      context.target.namespace !== deploy.namespace ||
      context.target.kustomization !== deploy.kustomization
    ) {
      throw new InputError(
        `deploy ${deploy.id} went through Kustomization ${deploy.namespace}/${deploy.kustomization}, which no longer deploys '${deploy.environment}'`,
      );
    }
    const result = await deploys.rollback(
      context,
      deploy,
      body,
      await requester(who),
      who.entityRef,
    );
    res.status(body.dryRun ? 200 : 201).json(result);
  });

  // Pipelines report with a service token (backend.auth.externalAccess).
  router.post('/deploys/pipeline', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['service'] });
    const body = parseBody(pipelineBody, req.body);
    let entityRef: string;
    try {
      entityRef = stringifyEntityRef(parseEntityRef(body.entityRef));
    } catch (error) {
      throw new InputError(`entityRef: ${error}`);
    }
    const entity = await catalog.getEntityByRef(entityRef, {
      credentials: await auth.getOwnServiceCredentials(),
    });
    if (!entity) {
      throw new NotFoundError(`entityRef: ${entityRef} is not in the catalog`);
    }
    const selector = entityLabelSelector(entity);
    if (!selector) {
      throw new InputError(
        `entityRef: ${entityRef} is not linked to Flux objects`,
      );
    }
    const context = deploys.context(entityRef, selector, body.environment);
    const deploy = await deploys.reportPipeline(
      context,
      { ...body, entityRef },
      `pipeline:${credentials.principal.subject}`,
    );
    res.status(201).json({ deploy });
  });

  async function deployOf(who: EntityAccess, id: number) {
    const deploy = await store.get(id);
    const targets = status
      .entityStatus(who.entityRef, who.selector)
      .environments.flatMap(e => e.objects);
    const belongs =
      deploy &&
      (deploy.entityRef === who.entityRef ||
        targets.some(
          o =>
            o.kind === 'Kustomization' &&
            o.cluster === deploy.cluster &&
            o.namespace === deploy.namespace &&
            o.name === deploy.kustomization,
        ));
    if (!deploy || !belongs) {
      throw new NotFoundError(`deploy ${id} of ${who.entityRef} not found`);
    }
    return deploy;
  }

  return router;
}
