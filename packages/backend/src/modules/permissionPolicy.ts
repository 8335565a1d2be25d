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
  gitopsHealthCheckPermission,
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
 * (reconcile, suspend, deploy, preview, rollback, ...) are for the entity's
 * owners; cluster repairs are for the users and groups in gitops.repairers;
 * running a health check (which probes Git with the cluster's credentials)
 * is for the repairers and the users and groups in gitops.healthCheckers.
 */
export class PortalPermissionPolicy implements PermissionPolicy {
  constructor(
    private readonly repairers: string[] = [],
    private readonly healthCheckers: string[] = [],
  ) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const { permission } = request;
    const claims = user?.info.ownershipEntityRefs ?? [];
    const claimsAny = (refs: string[]): PolicyDecision => ({
      result: claims.some(ref => refs.includes(ref))
        ? AuthorizeResult.ALLOW
        : AuthorizeResult.DENY,
    });
    if (isGitOpsRepairPermission(permission.name)) {
      return claimsAny(this.repairers);
    }
    if (permission.name === gitopsHealthCheckPermission.name) {
      return claimsAny([...this.repairers, ...this.healthCheckers]);
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
            config.getOptionalStringArray('gitops.healthCheckers') ?? [],
          ),
        );
      },
    });
  },
});
