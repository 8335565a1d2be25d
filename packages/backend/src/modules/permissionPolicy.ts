import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  isResourcePermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import {
  gitopsPermissions,
  isGitOpsRepairPermission,
} from '@gitops-backstage/plugin-gitops-common';

const gitopsEntityPermissions = new Set(
  gitopsPermissions
    .filter(p => isResourcePermission(p, 'catalog-entity'))
    .map(p => p.name),
);

/**
 * The portal's policy: everyone may read; GitOps actions on an entity
 * (reconcile, suspend, deploy, rollback, ...) are for the entity's owners;
 * cluster repairs are for the users and groups in gitops.repairers.
 */
export class PortalPermissionPolicy implements PermissionPolicy {
  constructor(private readonly repairers: string[] = []) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const { permission } = request;
    if (isGitOpsRepairPermission(permission.name)) {
      const claims = user?.info.ownershipEntityRefs ?? [];
      return {
        result: claims.some(ref => this.repairers.includes(ref))
          ? AuthorizeResult.ALLOW
          : AuthorizeResult.DENY,
      };
    }
    if (
      isResourcePermission(permission, 'catalog-entity') &&
      gitopsEntityPermissions.has(permission.name)
    ) {
      return createCatalogConditionalDecision(
        permission,
        catalogConditions.isEntityOwner({
          claims: user?.info.ownershipEntityRefs ?? [],
        }),
      );
    }
    return { result: AuthorizeResult.ALLOW };
  }
}

export default createBackendModule({
  pluginId: 'permission',
  moduleId: 'portal-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint, config: coreServices.rootConfig },
      async init({ policy, config }) {
        policy.setPolicy(
          new PortalPermissionPolicy(
            config.getOptionalStringArray('gitops.repairers') ?? [],
          ),
        );
      },
    });
  },
});
