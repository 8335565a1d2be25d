import { createPermission } from '@backstage/plugin-permission-common';
import { RESOURCE_TYPE_CATALOG_ENTITY } from '@backstage/plugin-catalog-common/alpha';

/**
 * Request a reconcile of an entity's Flux objects.
 *
 * @public
 */
export const gitopsReconcilePermission = createPermission({
  name: 'gitops.flux.reconcile',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Suspend or resume reconciliation of an entity's Flux objects.
 *
 * @public
 */
export const gitopsSuspendPermission = createPermission({
  name: 'gitops.flux.suspend',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Deploy an entity through Git (a commit to the environment's overlay).
 *
 * @public
 */
export const gitopsDeployPermission = createPermission({
  name: 'gitops.deploy.create',
  attributes: { action: 'create' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Deploy an entity by hand, outside Git, with server-side apply.
 *
 * @public
 */
export const gitopsManualDeployPermission = createPermission({
  name: 'gitops.deploy.manual',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Roll an entity back to the state of an earlier deploy.
 *
 * @public
 */
export const gitopsRollbackPermission = createPermission({
  name: 'gitops.deploy.rollback',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Run a cluster health check.
 *
 * @public
 */
export const gitopsHealthCheckPermission = createPermission({
  name: 'gitops.health.run',
  attributes: {},
});

/**
 * Apply a repair proposed by a health check finding; one permission per kind
 * of repair (`gitops.health.repair.<type>`), so a policy can allow a
 * reconcile to many and a controller restart to few.
 *
 * @public
 */
export const gitopsRepairPermissions = {
  'restart-controller': createPermission({
    name: 'gitops.health.repair.restart-controller',
    attributes: { action: 'update' },
  }),
  'refresh-git-credentials': createPermission({
    name: 'gitops.health.repair.refresh-git-credentials',
    attributes: { action: 'update' },
  }),
  'remove-zombies': createPermission({
    name: 'gitops.health.repair.remove-zombies',
    attributes: { action: 'delete' },
  }),
  resync: createPermission({
    name: 'gitops.health.repair.resync',
    attributes: { action: 'update' },
  }),
} as const;

/** @public */
export function isGitOpsRepairPermission(name: string): boolean {
  return Object.values(gitopsRepairPermissions).some(p => p.name === name);
}

/**
 * Every permission of the GitOps plugins.
 *
 * @public
 */
export const gitopsPermissions = [
  gitopsReconcilePermission,
  gitopsSuspendPermission,
  gitopsDeployPermission,
  gitopsManualDeployPermission,
  gitopsRollbackPermission,
  gitopsHealthCheckPermission,
  ...Object.values(gitopsRepairPermissions),
];
