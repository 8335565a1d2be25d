import {
  AuthorizeResult,
  ConditionalPolicyDecision,
  createPermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import { PortalPermissionPolicy } from './permissionPolicy';
import { KNOWN_PLUGIN_PERMISSIONS, PERMISSION_RULES } from './permissionRules';

type Expected =
  | 'everyone'
  | 'admins'
  | 'entity owners'
  | 'entity owners and admins'
  | 'task owners and admins'
  | 'repairers'
  | 'repairers and health checkers';

/** The decision table: who gets each permission of every installed plugin. */
const TABLE: Record<string, Expected> = {
  'catalog.entity.read': 'everyone',
  'catalog.entity.create': 'everyone',
  'catalog.entity.validate': 'everyone',
  'catalog.entity.refresh': 'everyone',
  'catalog.entity.delete': 'entity owners and admins',
  'catalog.location.read': 'everyone',
  'catalog.location.analyze': 'everyone',
  'catalog.location.create': 'everyone',
  'catalog.location.delete': 'admins',
  'catalog.ingestion.read': 'admins',
  'catalog.ingestion.manage': 'admins',
  'scaffolder.template.parameter.read': 'everyone',
  'scaffolder.template.step.read': 'everyone',
  'scaffolder.action.execute': 'everyone',
  'scaffolder.task.create': 'everyone',
  'scaffolder.task.read': 'task owners and admins',
  'scaffolder.task.cancel': 'task owners and admins',
  'scaffolder.template.dry-run': 'admins',
  'scaffolder.template.management': 'admins',
  'kubernetes.clusters.read': 'everyone',
  'kubernetes.resources.read': 'everyone',
  'kubernetes.proxy': 'admins',
  'gitops.flux.reconcile': 'entity owners',
  'gitops.flux.suspend': 'entity owners',
  'gitops.deploy.create': 'entity owners',
  'gitops.deploy.manual': 'entity owners',
  'gitops.deploy.rollback': 'entity owners',
  'gitops.health.run': 'repairers and health checkers',
  'gitops.health.repair.restart-controller': 'repairers',
  'gitops.health.repair.refresh-git-credentials': 'repairers',
  'gitops.health.repair.remove-zombies': 'repairers',
  'gitops.health.repair.resync': 'repairers',
};

const userOf = (name: string, groups: string[]) => ({
  token: 'token',
  credentials: {} as any,
  info: {
    userEntityRef: `user:default/${name}`,
    ownershipEntityRefs: [`user:default/${name}`, ...groups],
  },
});
const admin = userOf('ada', ['group:default/platform']);
const repairer = userOf('rita', ['group:default/sre']);
const checker = userOf('carl', ['group:default/observers']);
const developer = userOf('dev', ['group:default/team-a']);

const policy = new PortalPermissionPolicy({
  admins: ['group:default/platform'],
  repairers: ['group:default/sre'],
  healthCheckers: ['group:default/observers'],
});

async function outcome(
  name: string,
  who: ReturnType<typeof userOf> | undefined,
): Promise<string> {
  const permission = KNOWN_PLUGIN_PERMISSIONS.find(p => p.name === name)!;
  const decision: PolicyDecision = await policy.handle({ permission }, who);
  if (decision.result !== AuthorizeResult.CONDITIONAL) {
    return decision.result === AuthorizeResult.ALLOW ? 'allow' : 'deny';
  }
  return JSON.stringify((decision as ConditionalPolicyDecision).conditions);
}

const ownerCondition = (who: ReturnType<typeof userOf>) =>
  JSON.stringify({
    rule: 'IS_ENTITY_OWNER',
    resourceType: 'catalog-entity',
    params: { claims: who.info.ownershipEntityRefs },
  });
const taskOwnerCondition = (who: ReturnType<typeof userOf>) =>
  JSON.stringify({
    rule: 'IS_TASK_OWNER',
    resourceType: 'scaffolder-task',
    params: { createdBy: [who.info.userEntityRef] },
  });

/** What each kind of rule answers the admin, a repairer, a checker, a developer. */
const EXPECTED: Record<Expected, (w: typeof developer) => string[]> = {
  everyone: () => ['allow', 'allow', 'allow', 'allow'],
  admins: () => ['allow', 'deny', 'deny', 'deny'],
  'entity owners': () =>
    [admin, repairer, checker, developer].map(ownerCondition),
  'entity owners and admins': () => [
    'allow',
    ...[repairer, checker, developer].map(ownerCondition),
  ],
  'task owners and admins': () => [
    'allow',
    ...[repairer, checker, developer].map(taskOwnerCondition),
  ],
  repairers: () => ['deny', 'allow', 'deny', 'deny'],
  'repairers and health checkers': () => ['deny', 'allow', 'allow', 'deny'],
};

describe('PortalPermissionPolicy', () => {
  it('has a rule for every permission of the installed plugins, and the table lists every rule', () => {
    const known = KNOWN_PLUGIN_PERMISSIONS.map(p => p.name).sort();
    expect(Object.keys(PERMISSION_RULES).sort()).toEqual(known);
    expect(Object.keys(TABLE).sort()).toEqual(known);
  });

  it.each(Object.entries(TABLE))('%s: %s', async (name, expected) => {
    const got = [];
    for (const who of [admin, repairer, checker, developer]) {
      got.push(await outcome(name, who));
    }
    expect(got).toEqual(EXPECTED[expected](developer));
  });

  it.each(Object.keys(TABLE))(
    '%s: denied to a request without a user',
    async name => {
      expect(await outcome(name, undefined)).toBe('deny');
    },
  );

  it('denies a permission it has no rule for, to everyone', async () => {
    const unknown = createPermission({
      name: 'someplugin.secret.read',
      attributes: { action: 'read' },
    });
    for (const who of [admin, repairer, developer]) {
      expect((await policy.handle({ permission: unknown }, who)).result).toBe(
        AuthorizeResult.DENY,
      );
    }
  });

  it('gives nobody the admin rules when no admins are configured', async () => {
    const unconfigured = new PortalPermissionPolicy();
    const proxy = KNOWN_PLUGIN_PERMISSIONS.find(
      p => p.name === 'kubernetes.proxy',
    )!;
    expect(
      (await unconfigured.handle({ permission: proxy }, admin)).result,
    ).toBe(AuthorizeResult.DENY);
  });
});
