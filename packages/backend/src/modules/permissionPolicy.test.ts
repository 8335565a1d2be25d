import {
  AuthorizeResult,
  ConditionalPolicyDecision,
} from '@backstage/plugin-permission-common';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import {
  gitopsDeployPermission,
  gitopsHealthCheckPermission,
  gitopsReconcilePermission,
  gitopsRepairPermissions,
} from '@gitops-backstage/plugin-gitops-common';
import { PortalPermissionPolicy } from './permissionPolicy';

const user = {
  token: 'token',
  credentials: {} as any,
  info: {
    userEntityRef: 'user:default/guest',
    ownershipEntityRefs: ['user:default/guest', 'group:default/guests'],
  },
};

describe('PortalPermissionPolicy', () => {
  const policy = new PortalPermissionPolicy();

  it('lets everyone read the catalog', async () => {
    const decision = await policy.handle(
      { permission: catalogEntityReadPermission },
      user,
    );
    expect(decision.result).toBe(AuthorizeResult.ALLOW);
  });

  it.each([gitopsReconcilePermission, gitopsDeployPermission])(
    'gives $name to the entity owners only',
    async permission => {
      const decision = (await policy.handle(
        { permission },
        user,
      )) as ConditionalPolicyDecision;
      expect(decision.result).toBe(AuthorizeResult.CONDITIONAL);
      expect(decision.conditions).toEqual({
        rule: 'IS_ENTITY_OWNER',
        resourceType: 'catalog-entity',
        params: { claims: ['user:default/guest', 'group:default/guests'] },
      });
    },
  );

  it('lets only the configured repairers apply repairs', async () => {
    const decide = async (repairers: string[]) =>
      (
        await new PortalPermissionPolicy(repairers).handle(
          { permission: gitopsRepairPermissions['restart-controller'] },
          user,
        )
      ).result;
    expect(await decide(['group:default/guests'])).toBe(AuthorizeResult.ALLOW);
    expect(await decide(['group:default/platform'])).toBe(AuthorizeResult.DENY);
    expect(await decide([])).toBe(AuthorizeResult.DENY);
  });

  it('lets repairers and the configured health checkers run a health check, nobody else', async () => {
    const decide = async (
      repairers: string[],
      checkers: string[],
      who = user,
    ) =>
      (
        await new PortalPermissionPolicy(repairers, checkers).handle(
          { permission: gitopsHealthCheckPermission },
          who,
        )
      ).result;
    expect(await decide(['group:default/guests'], [])).toBe(
      AuthorizeResult.ALLOW,
    );
    expect(await decide([], ['user:default/guest'])).toBe(
      AuthorizeResult.ALLOW,
    );
    expect(
      await decide(['group:default/platform'], ['group:default/sre']),
    ).toBe(AuthorizeResult.DENY);
    expect(await decide([], [])).toBe(AuthorizeResult.DENY);
    expect(
      (
        await new PortalPermissionPolicy(['group:default/guests']).handle(
          { permission: gitopsHealthCheckPermission },
          undefined,
        )
      ).result,
    ).toBe(AuthorizeResult.DENY);
  });

  it('gives an anonymous caller no ownership claims', async () => {
    const decision = (await policy.handle(
      { permission: gitopsReconcilePermission },
      undefined,
    )) as ConditionalPolicyDecision;
    expect(decision.conditions).toMatchObject({ params: { claims: [] } });
  });
});
