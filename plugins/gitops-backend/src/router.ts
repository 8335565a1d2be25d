import { HttpAuthService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import express from 'express';
import Router from 'express-promise-router';
import {
  FluxObjectList,
  gitopsReconcilePermission,
  gitopsSuspendPermission,
} from '@gitops-backstage/plugin-gitops-common';
import { ActionAudit } from './actions/ActionAudit';
import { FluxActions } from './actions/FluxActions';
import { reconcileBody, suspendBody } from './actions/requests';
import { EntityScope } from './entities/EntityScope';
import { EntityScopeResolver } from './entities/EntityScopeResolver';
import { FluxDriftService } from './status/FluxDriftService';
import { FluxEventsService } from './status/FluxEventsService';
import { FluxStatusService } from './status/FluxStatusService';
import { jsonBody, parseBody } from './parseBody';

export interface RouterOptions {
  httpAuth: HttpAuthService;
  scopes: EntityScopeResolver;
  status: FluxStatusService;
  events: FluxEventsService;
  drift: FluxDriftService;
  actions: FluxActions;
  audit: ActionAudit;
}

/** The kinds whose `status.inventory` lists what they applied. */
const INVENTORY_OWNERS = new Set(['Kustomization', 'HelmRelease']);

/** Flux state and the actions on one object of an entity. */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { httpAuth, scopes, status, events, drift, actions, audit } = options;
  const router = Router();
  router.use(jsonBody());

  // The cluster list and the object inventory are read-only and stay open
  // to backend services (e.g. a search collator); everything under
  // /entities acts for a user and refuses them (EntityScopeResolver).
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

  router.get('/entities/:kind/:namespace/:name/status', async (req, res) => {
    const scope = await scopes.forRequest(req);
    res.json(await status.entityStatus(scope));
  });

  const objectPath =
    '/entities/:kind/:namespace/:name/objects/:cluster/:objectKind/:objectNamespace/:objectName';
  /** The object the path names, if the entity owns it (to read). */
  const objectOf = (scope: EntityScope, req: express.Request) =>
    scope.ownedObject(
      req.params.cluster,
      req.params.objectKind,
      req.params.objectNamespace,
      req.params.objectName,
    );
  /** The object the path names, if the entity may act on it. */
  const actionableObjectOf = (scope: EntityScope, req: express.Request) =>
    scope.actionableObject(
      req.params.cluster,
      req.params.objectKind,
      req.params.objectNamespace,
      req.params.objectName,
    );
  /** The object as the audit names it. */
  const actedOn = (
    { watcher, resource }: ReturnType<typeof objectOf>,
    { withSource }: { withSource?: boolean } = {},
  ) => {
    const source = withSource && watcher.sourceOf(resource);
    return [resource, ...(source ? [source] : [])].map(object => ({
      cluster: watcher.cluster.name,
      apiVersion: object.apiVersion,
      kind: object.kind,
      namespace: object.metadata.namespace,
      name: object.metadata.name,
    }));
  };

  router.post(`${objectPath}/reconcile`, async (req, res) => {
    const body = parseBody(reconcileBody, req.body);
    const scope = await scopes.forRequest(req);
    const { watcher, resource } = actionableObjectOf(scope, req);
    if (body.withSource) {
      scope.requireActionableSource({ watcher, resource });
    }
    await scope.requirePermission(gitopsReconcilePermission);
    const result = await audit.record(
      { action: 'reconcile', actor: scope.caller.ref, request: req },
      () => actions.reconcile(watcher, resource, body),
      () => actedOn({ watcher, resource }, body),
    );
    res.json(result);
  });

  for (const [verb, suspend] of [
    ['suspend', true],
    ['resume', false],
  ] as const) {
    router.post(`${objectPath}/${verb}`, async (req, res) => {
      const body = parseBody(suspendBody, req.body);
      const scope = await scopes.forRequest(req);
      const { watcher, resource } = actionableObjectOf(scope, req);
      await scope.requirePermission(gitopsSuspendPermission);
      const result = await audit.record(
        {
          action: verb,
          actor: scope.caller.ref,
          why: body.reason,
          request: req,
        },
        () =>
          actions.setSuspended(
            watcher,
            resource,
            suspend,
            scope.caller.ref,
            body.reason,
          ),
        () => actedOn({ watcher, resource }),
      );
      res.json(result);
    });
  }

  router.get(`${objectPath}/inventory`, async (req, res) => {
    if (!INVENTORY_OWNERS.has(req.params.objectKind)) {
      throw new InputError(
        `objectKind: only a Kustomization or a HelmRelease has an inventory, not '${req.params.objectKind}'`,
      );
    }
    const scope = await scopes.forRequest(req);
    const { watcher, resource } = objectOf(scope, req);
    res.json(status.inventoryTree(watcher, resource));
  });

  router.get(`${objectPath}/drift`, async (req, res) => {
    if (!INVENTORY_OWNERS.has(req.params.objectKind)) {
      throw new InputError(
        `objectKind: only a Kustomization or a HelmRelease applies objects that can drift, not '${req.params.objectKind}'`,
      );
    }
    const scope = await scopes.forRequest(req);
    const { watcher, resource } = objectOf(scope, req);
    res.json(await drift.drift(watcher.cluster.name, resource));
  });

  router.get(`${objectPath}/events`, async (req, res) => {
    const scope = await scopes.forRequest(req);
    const { watcher, resource } = objectOf(scope, req);
    res.json({ items: await events.list(watcher.cluster.name, resource) });
  });

  return router;
}
