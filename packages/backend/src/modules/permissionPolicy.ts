import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { PolicyDecision } from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { decide, PortalRoles } from './permissionRules';

/**
 * The portal's policy: every permission of every installed plugin is
 * decided by its rule in PERMISSION_RULES, and anything without a rule is
 * denied. Service principals never reach a policy (Backstage allows them
 * unless their access restrictions say otherwise), so the GitOps routes
 * choose their principal types themselves.
 */
export class PortalPermissionPolicy implements PermissionPolicy {
  private readonly roles: PortalRoles;

  constructor(roles: Partial<PortalRoles> = {}) {
    this.roles = {
      admins: roles.admins ?? [],
      repairers: roles.repairers ?? [],
      healthCheckers: roles.healthCheckers ?? [],
    };
  }

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const requester = user && {
      userEntityRef: user.info.userEntityRef,
      claims: user.info.ownershipEntityRefs ?? [],
    };
    return decide(request.permission, requester, this.roles);
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
          new PortalPermissionPolicy({
            admins: config.getOptionalStringArray('permission.admins') ?? [],
            repairers: config.getOptionalStringArray('gitops.repairers') ?? [],
            healthCheckers:
              config.getOptionalStringArray('gitops.healthCheckers') ?? [],
          }),
        );
      },
    });
  },
});
