import {
  AuthorizeResult,
  isResourcePermission,
  Permission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import {
  createScaffolderTaskConditionalDecision,
  scaffolderTaskConditions,
} from '@backstage/plugin-scaffolder-backend/alpha';
import { catalogPermissions } from '@backstage/plugin-catalog-common/alpha';
import { kubernetesPermissions } from '@backstage/plugin-kubernetes-common';
import { scaffolderPermissions } from '@backstage/plugin-scaffolder-common/alpha';
import {
  gitopsHealthCheckPermission,
  gitopsPermissions,
  isGitOpsRepairPermission,
} from '@gitops-backstage/plugin-gitops-common';

/** Who asks, as the policy sees them. */
export interface Requester {
  userEntityRef: string;
  /** The user's ownership refs: the user and their groups. */
  claims: string[];
}

/** The users and groups each role is given to (app config). */
export interface PortalRoles {
  /** permission.admins: the platform team. */
  admins: string[];
  /** gitops.repairers */
  repairers: string[];
  /** gitops.healthCheckers */
  healthCheckers: string[];
}

type Rule = (
  permission: Permission,
  requester: Requester,
  roles: PortalRoles,
) => PolicyDecision;

const ALLOW: PolicyDecision = { result: AuthorizeResult.ALLOW };
const DENY: PolicyDecision = { result: AuthorizeResult.DENY };

const claimsAny = (requester: Requester, refs: string[]): PolicyDecision =>
  requester.claims.some(ref => refs.includes(ref)) ? ALLOW : DENY;

const everyone: Rule = () => ALLOW;
const admins: Rule = (_, requester, roles) =>
  claimsAny(requester, roles.admins);

const entityOwners: Rule = (permission, requester) => {
  if (!isResourcePermission(permission, 'catalog-entity')) {
    return DENY;
  }
  return createCatalogConditionalDecision(
    permission,
    catalogConditions.isEntityOwner({ claims: requester.claims }),
  );
};
const entityOwnersAndAdmins: Rule = (permission, requester, roles) =>
  claimsAny(requester, roles.admins).result === AuthorizeResult.ALLOW
    ? ALLOW
    : entityOwners(permission, requester, roles);

const taskOwnersAndAdmins: Rule = (permission, requester, roles) => {
  if (claimsAny(requester, roles.admins).result === AuthorizeResult.ALLOW) {
    return ALLOW;
  }
  if (!isResourcePermission(permission, 'scaffolder-task')) {
    return DENY;
  }
  return createScaffolderTaskConditionalDecision(
    permission,
    scaffolderTaskConditions.isTaskOwner({
      createdBy: [requester.userEntityRef],
    }),
  );
};

/**
 * Every permission of every plugin installed in the portal's backend, and
 * who gets it. A permission that is not listed here is denied: a plugin
 * added to the backend gives nobody anything until it has rules
 * (permissionRules.e2e checks this list against what the running plugins
 * register).
 */
export const PERMISSION_RULES: Readonly<Record<string, Rule>> = {
  // Catalog: anyone reads and registers (a registered entity is a claim,
  // not a proof: the GitOps plugin checks the cluster side); only owners
  // delete their entities, only admins delete locations (a location may
  // hold several teams' entities) and manage ingestion.
  'catalog.entity.read': everyone,
  'catalog.entity.create': everyone,
  'catalog.entity.validate': everyone,
  'catalog.entity.refresh': everyone,
  'catalog.entity.delete': entityOwnersAndAdmins,
  'catalog.location.read': everyone,
  'catalog.location.analyze': everyone,
  'catalog.location.create': everyone,
  'catalog.location.delete': admins,
  'catalog.ingestion.read': admins,
  'catalog.ingestion.manage': admins,

  // Scaffolder: anyone runs templates (the GitOps actions check what the
  // initiator may claim); tasks and their logs belong to who started them;
  // editing and dry runs of templates are for admins.
  'scaffolder.template.parameter.read': everyone,
  'scaffolder.template.step.read': everyone,
  'scaffolder.action.execute': everyone,
  'scaffolder.task.create': everyone,
  'scaffolder.task.read': taskOwnersAndAdmins,
  'scaffolder.task.cancel': taskOwnersAndAdmins,
  'scaffolder.template.dry-run': admins,
  'scaffolder.template.management': admins,

  // Kubernetes: the Kubernetes tab reads what its read-only credentials
  // show; the proxy forwards any request with them, for admins only.
  'kubernetes.clusters.read': everyone,
  'kubernetes.resources.read': everyone,
  'kubernetes.proxy': admins,

  // GitOps: actions on an entity for its owners (the plugin also checks the
  // cluster side); health checks and repairs for the configured roles.
  ...Object.fromEntries(
    gitopsPermissions.map(permission => {
      let rule: Rule = entityOwners;
      if (isGitOpsRepairPermission(permission.name)) {
        rule = (_, requester, roles) => claimsAny(requester, roles.repairers);
      } else if (permission.name === gitopsHealthCheckPermission.name) {
        rule = (_, requester, roles) =>
          claimsAny(requester, [...roles.repairers, ...roles.healthCheckers]);
      }
      return [permission.name, rule];
    }),
  ),
};

/** The permissions of the plugins whose rules are written above. */
export const KNOWN_PLUGIN_PERMISSIONS: readonly Permission[] = [
  ...catalogPermissions,
  ...scaffolderPermissions,
  ...kubernetesPermissions,
  ...gitopsPermissions,
];

/** The decision for one permission: its rule, or deny when it has none. */
export function decide(
  permission: Permission,
  requester: Requester | undefined,
  roles: PortalRoles,
): PolicyDecision {
  const rule = PERMISSION_RULES[permission.name];
  if (!rule || !requester) {
    return DENY;
  }
  return rule(permission, requester, roles);
}
