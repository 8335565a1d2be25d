import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { ResourcePermission } from '@backstage/plugin-permission-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod/v3';
import {
  FluxObjectList,
  gitopsReconcilePermission,
  gitopsSuspendPermission,
} from '@gitops-backstage/plugin-gitops-common';
import { FluxActions } from './actions/FluxActions';
import { FluxEventsService } from './status/FluxEventsService';
import { FluxStatusService } from './status/FluxStatusService';
import { compileLabelSelector } from './entities/labelSelector';
import { EntityAccessResolver } from './entities/EntityScope';
import { jsonBody, parseBody } from './parseBody';

export interface RouterOptions {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  catalog: CatalogService;
  status: FluxStatusService;
  events: FluxEventsService;
  actions: FluxActions;
}

const reconcileBody = z.object({ withSource: z.boolean().optional() }).strict();
const suspendBody = z
  .object({ reason: z.string().max(500).optional() })
  .strict();

export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { httpAuth, permissions, catalog, status, events, actions } = options;
  const router = Router();
  router.use(jsonBody());

  router.get('/clusters', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    res.json({ items: status.clusters() });
  });

  router.get('/objects', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    const body: FluxObjectList = {
      clusters: status.clusters(),
      items: status.list(),
    };
    res.json(body);
  });

  const access = new EntityAccessResolver({ httpAuth, permissions, catalog });
  const entityFor = (req: express.Request) => access.resolve(req);

  router.get('/entities/:kind/:namespace/:name/status', async (req, res) => {
    const { entityRef, selector } = await entityFor(req);
    res.json(status.entityStatus(entityRef, selector));
  });

  /** An object of the entity; acting on others' objects is refused. */
  async function objectOfEntity(
    req: express.Request,
    permission?: ResourcePermission<'catalog-entity'>,
  ) {
    const { credentials, entityRef, selector, who } = await entityFor(req);
    const { cluster, objectKind, objectNamespace, objectName } = req.params;
    const found = status.findObject(
      cluster,
      objectKind,
      objectNamespace,
      objectName,
    );
    const matches = compileLabelSelector(selector);
    const sourceOfEntity = status
      .entityStatus(entityRef, selector)
      .environments.some(e =>
        e.objects.some(
          o =>
            o.cluster === cluster &&
            o.kind === objectKind &&
            o.namespace === objectNamespace &&
            o.name === objectName,
        ),
      );
    if (!matches(found.resource.metadata.labels) && !sourceOfEntity) {
      throw new NotFoundError(
        `${objectKind} ${objectNamespace}/${objectName} does not belong to ${entityRef}`,
      );
    }
    if (permission) {
      await access.authorize(
        { credentials, entityRef, selector, who },
        permission,
      );
    }
    return { ...found, who };
  }

  const objectPath =
    '/entities/:kind/:namespace/:name/objects/:cluster/:objectKind/:objectNamespace/:objectName';

  router.post(`${objectPath}/reconcile`, async (req, res) => {
    const body = parseBody(reconcileBody, req.body);
    const { watcher, resource } = await objectOfEntity(
      req,
      gitopsReconcilePermission,
    );
    res.json(await actions.reconcile(watcher, resource, body));
  });

  router.post(`${objectPath}/suspend`, async (req, res) => {
    const body = parseBody(suspendBody, req.body);
    const { watcher, resource, who } = await objectOfEntity(
      req,
      gitopsSuspendPermission,
    );
    res.json(
      await actions.setSuspended(watcher, resource, true, who, body.reason),
    );
  });

  router.post(`${objectPath}/resume`, async (req, res) => {
    const body = parseBody(suspendBody, req.body);
    const { watcher, resource, who } = await objectOfEntity(
      req,
      gitopsSuspendPermission,
    );
    res.json(
      await actions.setSuspended(watcher, resource, false, who, body.reason),
    );
  });

  router.get(`${objectPath}/events`, async (req, res) => {
    const { watcher, resource } = await objectOfEntity(req);
    res.json({ items: await events.list(watcher.cluster.name, resource) });
  });

  return router;
}
