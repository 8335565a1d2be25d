import { ConfigReader } from '@backstage/config';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { mockCredentials } from '@backstage/backend-test-utils';
import {
  component,
  fakeCatalog,
  fakeCluster,
  fakePermissions,
  namespace,
} from '../__testUtils__/fakes';
import { createCheckProjectAction } from './checkProject';

const config = new ConfigReader({
  kubernetes: {
    clusterLocatorMethods: [
      {
        type: 'config',
        clusters: [
          {
            name: 'local',
            url: 'https://127.0.0.1:1',
            authProvider: 'serviceAccount',
            serviceAccountToken: 'token',
          },
        ],
      },
    ],
  },
});

const SHOP = 'component:default/shop';
const GUEST = 'user:default/guest';

/** The initiator's groups, as the user info service tells them. */
const userInfo = {
  getUserInfo: jest.fn(async (credentials: any) => ({
    userEntityRef: credentials.principal.userEntityRef,
    ownershipEntityRefs:
      credentials.principal.userEntityRef === GUEST
        ? [GUEST, 'group:default/guests']
        : [credentials.principal.userEntityRef],
  })),
};

function setUp(
  options: {
    entities?: ReturnType<typeof component>[];
    owned?: string[];
    objects?: ReturnType<typeof namespace>[];
  } = {},
) {
  const cluster = fakeCluster(options.objects ?? []);
  const catalog = fakeCatalog(options.entities ?? []);
  const permissions = fakePermissions(options.owned ?? []);
  const action = createCheckProjectAction({
    config,
    catalog,
    permissions,
    userInfo,
    clusterClient: cluster.clusterClient,
  });
  return { action, cluster, catalog, permissions };
}

function run(
  action: ReturnType<typeof createCheckProjectAction>,
  input: Record<string, unknown>,
  credentials: any = mockCredentials.user(GUEST),
) {
  const ctx = createMockActionContext({
    input: {
      id: 'shop',
      entityRef: SHOP,
      environments: ['development', 'production'],
      ...input,
    } as any,
  });
  ctx.getInitiatorCredentials = async () => credentials;
  return { ctx, done: action.handler(ctx as any) };
}

describe('gitops:project:check', () => {
  it("lets the owner of an existing entity go on, reading the catalog with the initiator's credentials", async () => {
    const { action, catalog, permissions } = setUp({
      entities: [component('shop')],
      owned: [SHOP],
      objects: [namespace('project-shop-development', SHOP)],
    });
    const { ctx, done } = run(action, {});
    await done;
    expect(ctx.output).toHaveBeenCalledWith('entityExists', true);
    expect(ctx.output).toHaveBeenCalledWith('namespaces', [
      'project-shop-development',
      'project-shop-production',
    ]);
    expect(catalog.lookups[0].credentials).toEqual(mockCredentials.user(GUEST));
    expect(permissions.asked).toEqual([
      expect.objectContaining({
        permission: 'gitops.deploy.create',
        resourceRef: SHOP,
      }),
    ]);
  });

  it("lets a new entity go on for the initiator's own group", async () => {
    const { action } = setUp();
    const { ctx, done } = run(action, { owner: 'group:default/guests' });
    await done;
    expect(ctx.output).toHaveBeenCalledWith('entityExists', false);
  });

  it.each([
    [
      'no user (a service principal)',
      { owner: 'group:default/guests' },
      mockCredentials.service('plugin:catalog'),
      /only a signed-in user may set up GitOps for an entity; this run was started by a service principal; nothing was created/,
    ],
    [
      "another team's existing entity",
      {},
      mockCredentials.user(GUEST),
      /entityRef: component:default\/shop is owned by group:default\/payments; only its owners may set up GitOps for it \(gitops\.deploy\.create\); nothing was created/,
    ],
    [
      'a new entity for a group the initiator is not in',
      { entityRef: 'component:default/new', owner: 'group:default/payments' },
      mockCredentials.user(GUEST),
      /owner: group:default\/payments is neither you nor one of your groups/,
    ],
  ])('refuses %s', async (_what, input, credentials, message) => {
    const { action, cluster } = setUp({
      entities: [component('shop', { owner: 'group:default/payments' })],
      owned: [],
    });
    const { done } = run(action, input, credentials);
    await expect(done).rejects.toThrow(message);
    expect(cluster.applied).toEqual([]);
  });

  it('refuses an entity whose kubernetes-id is another id', async () => {
    const { action } = setUp({
      entities: [component('shop', { kubernetesId: 'payments' })],
      owned: [SHOP],
    });
    await expect(run(action, {}).done).rejects.toThrow(
      "id: 'shop' is not the backstage.io/kubernetes-id of component:default/shop (it is 'payments'); nothing was created",
    );
  });

  it.each([
    ['without a claim (made by hand)', undefined, 'exists without a claim'],
    ["with another entity's claim", 'component:default/payments', 'payments'],
  ])(
    'refuses a namespace that exists %s: it is not adopted',
    async (_what, claim, detail) => {
      const { action } = setUp({
        entities: [component('shop')],
        owned: [SHOP],
        objects: [namespace('project-shop-production', claim)],
      });
      await expect(run(action, {}).done).rejects.toThrow(
        new RegExp(
          `id: project 'shop' would take over objects that are not component:default/shop's: .*${detail}.*nothing was created`,
        ),
      );
    },
  );

  it('refuses namespaces claimed for an entity no longer in the catalog: whoever registers the name next would get them', async () => {
    const { action } = setUp({
      objects: [namespace('project-shop-development', SHOP)],
    });
    await expect(
      run(action, { owner: 'group:default/guests' }).done,
    ).rejects.toThrow(
      /claimed by component:default\/shop, which is not in the catalog/,
    );
  });

  it.each([
    [{ id: 'Shop!' }, 'id'],
    [{ entityRef: 'not a ref at all' }, 'entityRef'],
    [{ environments: [] }, 'environments'],
    [{ environments: ['development', 'development'] }, 'environments'],
    [{ namespacePattern: 'kube-system' }, 'namespacePattern'],
    [{ unknown: 1 }, 'unknown'],
  ])('refuses bad input %j naming the field', async (input, field) => {
    const { action, catalog } = setUp({
      entities: [component('shop')],
      owned: [SHOP],
    });
    await expect(run(action, input).done).rejects.toThrow(field);
    expect(catalog.lookups).toEqual([]);
  });
});
