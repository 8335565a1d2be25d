import yaml from 'yaml';
import { ConfigReader } from '@backstage/config';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { mockCredentials } from '@backstage/backend-test-utils';
import {
  component,
  fakeCatalog,
  fakeCluster,
  fakeGitHost,
  fakePermissions,
  namespace,
} from '../__testUtils__/fakes';
import { createFluxResourcesAction } from './createFluxResources';
import { examples } from './createFluxResources.examples';

const config = new ConfigReader({
  integrations: {
    gitea: [
      {
        host: 'git.example.com',
        baseUrl: 'https://git.example.com',
        username: 'bot',
        password: 's3cret-password',
      },
    ],
  },
  gitops: {
    deployKeys: [
      {
        host: 'git.example.com',
        sshUrl: 'ssh://git@git.example.com:2222',
        knownHosts: '[git.example.com]:2222 ssh-ed25519 AAAAhostkey',
      },
    ],
  },
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
          {
            name: 'prod-eu',
            url: 'https://127.0.0.1:2',
            authProvider: 'serviceAccount',
            serviceAccountToken: 'token',
          },
        ],
      },
    ],
  },
});

const baseInput = {
  id: 'shop',
  entityRef: 'component:default/shop',
  cluster: 'local',
  repoUrl: 'https://git.example.com/acme/shop.git',
  environments: [
    { name: 'development' },
    { name: 'production', autoSync: false },
  ],
};

// The mock context has no dry-run option.
function mockContext(
  options: Parameters<typeof createMockActionContext>[0] & {
    isDryRun?: boolean;
  },
) {
  const { isDryRun, ...rest } = options;
  return { ...createMockActionContext(rest), isDryRun };
}

function outputOf(ctx: ReturnType<typeof mockContext>, key: string) {
  return (ctx.output as jest.Mock).mock.calls.find(([k]) => k === key)?.[1];
}

const SHOP = 'component:default/shop';

describe('gitops:flux:create', () => {
  // The guests' shop, registered from git.example.com/acme/shop.
  const catalog = fakeCatalog([component('shop')]);
  const permissions = fakePermissions([SHOP]);
  const action = createFluxResourcesAction({ config, catalog, permissions });

  it.each(examples.map(e => [e.description, e]))(
    'accepts the example: %s',
    async (_description, example) => {
      const input = yaml.parse(example.example).steps[0].input;
      if (input.repoUrl.includes('${{')) {
        input.repoUrl = 'https://git.example.com/acme/x.git';
      }
      const ctx = mockContext({
        input: { cluster: 'local', ...input },
        isDryRun: true,
        secrets: { gitToken: 'token-from-secret' },
      });
      await action.handler(ctx as any);
      const planned = outputOf(ctx, 'environments');
      expect(planned.map((e: any) => e.name)).toEqual(
        input.environments.map((e: any) => e.name),
      );
      const workloadKind = input.helm ? 'HelmRelease' : 'Kustomization';
      for (const environment of planned) {
        const expectedNamespace = (
          input.namespacePattern ?? 'project-{id}-{env}'
        )
          .replace('{id}', input.id)
          .replace('{env}', environment.name);
        expect(environment.namespace).toBe(expectedNamespace);
        expect(environment.workload.kind).toBe(workloadKind);
        expect(environment.objects.map((o: any) => o.kind)).toEqual(
          expect.arrayContaining(['Namespace', 'Secret', workloadKind]),
        );
        // A dry run plans; it never applies.
        expect(
          environment.objects.every((o: any) => o.result === 'planned'),
        ).toBe(true);
      }
    },
  );

  it('plans the seed layout in a dry run without touching the cluster', async () => {
    // The cluster URLs point nowhere: any request would fail the run.
    const ctx = mockContext({ input: baseInput, isDryRun: true });
    await action.handler(ctx as any);
    const [dev, prod] = outputOf(ctx, 'environments');
    expect(dev.namespace).toBe('project-shop-development');
    expect(dev.objects.map((o: any) => `${o.kind}/${o.name}`)).toEqual([
      'Namespace/project-shop-development',
      'Secret/shop-git-auth',
      'ServiceAccount/shop-development',
      'RoleBinding/shop-development',
      'GitRepository/shop-repo',
      'Kustomization/shop-development',
    ]);
    expect(dev.objects.every((o: any) => o.result === 'planned')).toBe(true);
    expect(prod.workload).toEqual({
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      namespace: 'project-shop-production',
      name: 'shop-production',
      suspended: true,
    });
    expect(outputOf(ctx, 'changes')).toBe(0);
  });

  it('never logs the Git credentials in a dry run (a real run: projectInit.e2e.test.ts)', async () => {
    const ctx = mockContext({ input: baseInput, isDryRun: true });
    const lines: string[] = [];
    ctx.logger.info = ((message: string) => {
      lines.push(message);
      return ctx.logger;
    }) as any;
    await action.handler(ctx as any);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toContain('s3cret-password');
    expect(JSON.stringify((ctx.output as jest.Mock).mock.calls)).not.toContain(
      's3cret-password',
    );
  });

  it.each([
    [{ ...baseInput, id: 'Shop_1' }, /id: must be a DNS-1123 label/],
    [
      { ...baseInput, environments: [{ name: 'qa' }] },
      /environments\.0\.name: Invalid enum value/,
    ],
    [
      {
        ...baseInput,
        environments: [{ name: 'staging', dependsOn: ['production'] }],
      },
      /environments\.0\.dependsOn\.0: 'production' is not another environment/,
    ],
    [
      { ...baseInput, namespacePattern: '{id}_{env}' },
      /namespacePattern: namespaces follow the platform's pattern 'project-\{id\}-\{env\}'/,
    ],
    [
      {
        ...baseInput,
        environments: ['development'],
        environmentSettings: { development: { namespace: 'kube-system' } },
      },
      /environmentSettings\.development\.namespace: namespaces follow the platform's pattern/,
    ],
    [
      { ...baseInput, environments: [{ name: 'development', debug: true }] },
      /environments\.0: Unrecognized key\(s\) in object: 'debug'/,
    ],
    [
      { ...baseInput, serviceAccountName: 'flux' },
      /input: Unrecognized key\(s\) in object: 'serviceAccountName'/,
    ],
    [
      { ...baseInput, cluster: undefined },
      /cluster: several clusters are configured/,
    ],
    [{ ...baseInput, cluster: 'nope' }, /cluster: 'nope' is not configured/],
    [
      { ...baseInput, repoUrl: 'https://other.example.com/acme/x.git' },
      /auth: Flux gets a read-only deploy key, never the integration's own credential, and other.example.com is not a deploy-key host/,
    ],
    [
      { ...baseInput, auth: { from: 'secret', secret: 'gitToken' } },
      /auth.secret: the template secret 'gitToken' is not set/,
    ],
  ])('rejects bad input %#, naming the field', async (input, message) => {
    const ctx = mockContext({ input: input as any });
    await expect(action.handler(ctx as any)).rejects.toThrow(message);
  });

  it('reports every environment when the cluster cannot be reached', async () => {
    const ctx = mockContext({ input: baseInput });
    await expect(action.handler(ctx as any)).rejects.toThrow(
      /2 of 2 environment\(s\) failed:\n- development: reading Namespace project-shop-development: .*\n- production: .*Applied before the failure: nothing/,
    );
  });

  describe('where the platform allows namespace overrides', () => {
    const lenient = createFluxResourcesAction({
      config: ConfigReader.fromConfigs([
        { context: 'base', data: config.get() as any },
        {
          context: 'platform',
          data: { gitops: { projects: { allowNamespaceOverrides: true } } },
        },
      ]),
      catalog,
      permissions,
    });

    it.each([
      [
        { environments: [{ name: 'development', namespace: 'kube-system' }] },
        /environments\.0\.namespace: 'kube-system' is a protected namespace \(kube-\*\)/,
      ],
      [
        {
          environments: ['staging'],
          environmentSettings: { staging: { namespace: 'flux-system' } },
        },
        /environmentSettings\.staging\.namespace: 'flux-system' is a protected namespace/,
      ],
      [
        { namespacePattern: 'kube-{env}', environments: ['development'] },
        /namespacePattern: 'kube-development' is a protected namespace/,
      ],
      [
        {
          namespacePattern: 'defaul{env}',
          environments: [{ name: 'development', namespace: 'default' }],
        },
        /environments\.0\.namespace: 'default' is a protected namespace/,
      ],
    ])('still refuses protected namespaces %#', async (override, message) => {
      const ctx = mockContext({
        input: { ...baseInput, ...override } as any,
        isDryRun: true,
      });
      await expect(lenient.handler(ctx as any)).rejects.toThrow(message);
    });

    it('plans a namespace the platform allows', async () => {
      const ctx = mockContext({
        input: {
          ...baseInput,
          environments: [{ name: 'development', namespace: 'shop-dev' }],
        },
        isDryRun: true,
      });
      await lenient.handler(ctx as any);
      expect(outputOf(ctx, 'environments')[0].namespace).toBe('shop-dev');
    });
  });
});

describe('gitops:flux:create only for a project the initiator may claim', () => {
  const OTHER = 'component:default/payments';
  const initiator = mockCredentials.user('user:default/guest');

  /**
   * A run against a fake catalog, policy, Git host and cluster; `owned`
   * are the entities the initiator's policy allows.
   */
  function setup(
    options: {
      entities?: ReturnType<typeof component>[];
      owned?: string[];
      objects?: Parameters<typeof fakeCluster>[0];
      later?: Parameters<typeof fakeCatalog>[1];
    } = {},
  ) {
    const catalog = fakeCatalog(
      options.entities ?? [
        component('shop'),
        component('payments', { owner: 'group:default/other-team' }),
      ],
      options.later,
    );
    const permissions = fakePermissions(options.owned ?? [SHOP]);
    const host = fakeGitHost();
    const cluster = fakeCluster(options.objects);
    const action = createFluxResourcesAction({
      config,
      catalog,
      permissions,
      fetch: host.fetch,
      clusterClient: cluster.clusterClient,
      entityPollMs: 1,
    });
    const run = async (
      input: Record<string, unknown>,
      credentials = initiator,
    ) => {
      const ctx = mockContext({ input: { ...baseInput, ...input } as any });
      ctx.getInitiatorCredentials = async () => credentials as any;
      await action.handler(ctx as any);
      return ctx;
    };
    return { catalog, permissions, host, cluster, run };
  }

  /** Nothing in the cluster, no deploy key, not even a key listed. */
  function expectNothingDone(fakes: ReturnType<typeof setup>) {
    expect(fakes.cluster.applied).toEqual([]);
    expect(fakes.host.keys).toEqual([]);
    expect(fakes.host.requests).toEqual([]);
  }

  describe('with environments on two clusters', () => {
    function twoClusters() {
      const local = fakeCluster();
      const prod = fakeCluster();
      const host = fakeGitHost();
      const action = createFluxResourcesAction({
        config,
        catalog: fakeCatalog([component('shop')]),
        permissions: fakePermissions([SHOP]),
        fetch: host.fetch,
        clusterClient: (c, name) =>
          (name === 'prod-eu' ? prod : local).clusterClient(c, name),
      });
      const run = async (environments: unknown[]) => {
        const ctx = mockContext({
          input: { ...baseInput, environments } as any,
        });
        ctx.getInitiatorCredentials = async () => initiator as any;
        await action.handler(ctx as any);
        return ctx;
      };
      return { local, prod, host, run };
    }

    it("puts each environment on the cluster it names, the others on the run's", async () => {
      const fakes = twoClusters();
      const ctx = await fakes.run([
        { name: 'development' },
        { name: 'production', cluster: 'prod-eu' },
      ]);
      expect(
        outputOf(ctx, 'environments').map((e: any) => [e.name, e.cluster]),
      ).toEqual([
        ['development', 'local'],
        ['production', 'prod-eu'],
      ]);
      const namespacesOf = (cluster: ReturnType<typeof fakeCluster>) =>
        new Set(
          [...cluster.objects.values()].map(
            o => o.metadata?.namespace ?? o.metadata?.name,
          ),
        );
      expect(namespacesOf(fakes.local)).toEqual(
        new Set(['project-shop-development']),
      );
      expect(namespacesOf(fakes.prod)).toEqual(
        new Set(['project-shop-production']),
      );
    });

    it('refuses a dependsOn across clusters before anything is done: Flux waits on its own cluster only', async () => {
      const fakes = twoClusters();
      await expect(
        fakes.run([
          { name: 'development' },
          {
            name: 'production',
            cluster: 'prod-eu',
            dependsOn: ['development'],
          },
        ]),
      ).rejects.toThrow(
        "environments.1.dependsOn.0: 'development' is on cluster local and 'production' on prod-eu",
      );
      expect(fakes.local.applied).toEqual([]);
      expect(fakes.prod.applied).toEqual([]);
      expect(fakes.host.keys).toEqual([]);
    });

    it("names the environment's field when its cluster is not configured, and does nothing", async () => {
      const fakes = twoClusters();
      await expect(
        fakes.run([
          { name: 'development' },
          { name: 'production', cluster: 'nowhere' },
        ]),
      ).rejects.toThrow(
        "environments.1.cluster: 'nowhere' is not configured; known clusters: local, prod-eu",
      );
      expect(fakes.local.applied).toEqual([]);
      expect(fakes.host.keys).toEqual([]);
    });
  });

  it('sets up the repository an owned entity was registered from, asking the catalog and the policy as the initiator', async () => {
    const fakes = setup();
    const ctx = await fakes.run({});
    expect(outputOf(ctx, 'changes')).toBe(12);
    expect(fakes.catalog.lookups).toEqual([
      { ref: SHOP, credentials: initiator },
    ]);
    expect(fakes.permissions.asked).toEqual([
      {
        permission: 'gitops.deploy.create',
        resourceRef: SHOP,
        credentials: initiator,
      },
    ]);
    // One read-only key per environment, on the registered repository.
    expect(
      fakes.host.keys.map(k => ({
        repo: k.repo,
        title: k.title,
        ro: k.read_only,
      })),
    ).toEqual([
      { repo: 'acme/shop', title: 'flux shop development', ro: true },
      { repo: 'acme/shop', title: 'flux shop production', ro: true },
    ]);
    const source = fakes.cluster.objects.get(
      'GitRepository/project-shop-development/shop-repo',
    ) as any;
    expect(source.spec.url).toBe(
      'ssh://git@git.example.com:2222/acme/shop.git',
    );
    // Every object carries the entity's claim and the repository it was
    // registered from.
    for (const object of fakes.cluster.objects.values()) {
      expect(object.metadata?.annotations).toMatchObject({
        'gitops.backstage.io/entity-ref': SHOP,
        'gitops.backstage.io/entity-repository': 'git.example.com/acme/shop',
      });
    }

    // A re-run finds everything claimed for the entity: nothing changes.
    const again = await fakes.run({});
    expect(outputOf(again, 'changes')).toBe(0);
    expect(fakes.host.keys).toHaveLength(2);
  });

  it.each([
    'ssh://git@git.example.com:2222/acme/shop.git',
    'https://git.example.com/acme/shop',
    'https://Git.Example.com/acme/shop.git',
  ])(
    'accepts %s: the registered repository written another way',
    async repoUrl => {
      const fakes = setup();
      await fakes.run({ repoUrl });
      expect(fakes.host.keys.map(k => k.repo)).toEqual([
        'acme/shop',
        'acme/shop',
      ]);
    },
  );

  it('waits for an entity the template registered in an earlier step', async () => {
    const fakes = setup({
      entities: [],
      later: [{ entity: component('shop'), afterLookups: 2 }],
    });
    const ctx = await fakes.run({ waitForEntity: '5s' });
    expect(outputOf(ctx, 'changes')).toBe(12);
    expect(fakes.catalog.lookups).toHaveLength(3);
  });

  it.each([
    [
      'another team’s entity',
      {
        entityRef: OTHER,
        id: 'payments',
        repoUrl: 'https://git.example.com/acme/payments.git',
      },
      {},
      /entityRef: component:default\/payments is owned by group:default\/other-team; only its owners may set up GitOps for it \(gitops\.deploy\.create\); nothing was applied/,
    ],
    [
      'an entity that is not in the catalog',
      {
        entityRef: 'component:default/later',
        id: 'later',
        repoUrl: 'https://git.example.com/acme/later.git',
      },
      {},
      /entityRef: component:default\/later is not in the catalog; register it from its repository first .*; nothing was applied/,
    ],
    [
      'an entity that does not show up while the run waits',
      {
        entityRef: 'component:default/later',
        id: 'later',
        waitForEntity: '20ms',
      },
      {},
      /entityRef: component:default\/later is not in the catalog after 20ms; .*nothing was applied/,
    ],
    [
      'an entity whose kubernetes-id is another id',
      {},
      { entities: [component('shop', { kubernetesId: 'payments' })] },
      /id: 'shop' is not the backstage\.io\/kubernetes-id of component:default\/shop \(it is 'payments'\); nothing was applied/,
    ],
    [
      'an entity without a kubernetes-id',
      {},
      { entities: [component('shop', { kubernetesId: null })] },
      /id: 'shop' is not the backstage\.io\/kubernetes-id of component:default\/shop \(it has none\); nothing was applied/,
    ],
    [
      'another repository on the same host',
      { repoUrl: 'https://git.example.com/acme/payments.git' },
      {},
      /repoUrl: git\.example\.com\/acme\/payments is not the repository component:default\/shop was registered from \(git\.example\.com\/acme\/shop\); nothing was applied/,
    ],
    [
      'another owner of the same repository name',
      { repoUrl: 'https://git.example.com/other/shop.git' },
      {},
      /repoUrl: git\.example\.com\/other\/shop is not the repository component:default\/shop was registered from/,
    ],
    [
      'an entity registered from another repository than its manifests',
      {},
      {
        entities: [
          component('shop', {
            origin:
              'url:https://git.example.com/acme/catalog/blob/main/shop.yaml',
          }),
        ],
      },
      /repoUrl: git\.example\.com\/acme\/shop is not the repository component:default\/shop was registered from \(git\.example\.com\/acme\/catalog\)/,
    ],
    [
      'an entity registered from a path that climbs out of its repository',
      {},
      {
        entities: [
          component('shop', {
            origin:
              'url:https://git.example.com/acme/payments/src/branch/main/../../../shop/src/branch/main/catalog-info.yaml',
          }),
        ],
      },
      /entityRef: component:default\/shop was registered from a location that has a dot segment; .*nothing was applied/,
    ],
    [
      'an entity registered from a file',
      {},
      {
        entities: [
          component('shop', { origin: 'file:/tmp/catalog-info.yaml' }),
        ],
      },
      /entityRef: component:default\/shop was not registered from a URL \(file\); .*nothing was applied/,
    ],
    [
      'an entity without an origin location',
      {},
      { entities: [component('shop', { origin: null })] },
      /entityRef: component:default\/shop has no backstage\.io\/managed-by-origin-location annotation/,
    ],
    [
      'an entity ref that is not one',
      { entityRef: 'shop' },
      {},
      /entityRef: 'shop' is not an entity ref like component:default\/<name>; nothing was applied/,
    ],
  ])(
    'refuses %s: nothing applied, no deploy key',
    async (_what, input, options, message) => {
      const fakes = setup(options as any);
      await expect(fakes.run(input)).rejects.toThrow(message);
      expectNothingDone(fakes);
    },
  );

  it.each([
    [
      'a dot segment',
      'https://git.example.com/acme/payments/../shop.git',
      'has a dot segment',
    ],
    [
      'a dot segment (same repository)',
      'https://git.example.com/acme/./shop.git',
      'has a dot segment',
    ],
    [
      'percent-encoding',
      'https://git.example.com/acme/%73hop.git',
      'has percent-encoding',
    ],
    [
      'a backslash',
      'https://git.example.com/acme\\shop.git',
      'has a backslash',
    ],
    [
      'an empty segment',
      'https://git.example.com//acme/shop.git',
      'has an empty path segment',
    ],
    [
      'a trailing slash',
      'https://git.example.com/acme/shop.git/',
      'has an empty path segment',
    ],
    [
      'user information',
      'https://bot:hunter2@git.example.com/acme/shop.git',
      'has user information',
    ],
    [
      'a query',
      'https://git.example.com/acme/shop.git?ref=main',
      'has a query',
    ],
    [
      'a fragment',
      'https://git.example.com/acme/shop.git#main',
      'has a fragment',
    ],
    [
      'an explicit default port',
      'https://git.example.com:443/acme/shop.git',
      'is not written in canonical form',
    ],
    [
      'a location URL',
      'https://git.example.com/acme/shop/src/branch/main',
      'does not name a repository as <owner>/<name>',
    ],
    [
      'an SSH path with a dot segment',
      'ssh://git@git.example.com:2222/acme/./shop.git',
      'has a dot segment',
    ],
  ])(
    'refuses a repoUrl with %s, whatever a parser would make of it',
    async (_what, repoUrl, problem) => {
      const fakes = setup();
      const run = fakes.run({ repoUrl });
      await expect(run).rejects.toThrow(/^(Invalid input: )?repoUrl: /);
      await expect(run).rejects.toThrow(problem);
      await expect(run).rejects.toThrow(/nothing was applied$/);
      await expect(run).rejects.not.toThrow('hunter2');
      expectNothingDone(fakes);
      // Refused before the catalog or the policy were asked.
      expect(fakes.permissions.asked).toEqual([]);
    },
  );

  it('refuses a run started by a service principal: the policy is never asked for those', async () => {
    const fakes = setup();
    await expect(
      fakes.run({}, mockCredentials.service('plugin:catalog') as any),
    ).rejects.toThrow(
      /entityRef: only a signed-in user may set up GitOps for an entity; this run was started by a service principal; nothing was applied/,
    );
    expectNothingDone(fakes);
    expect(fakes.permissions.asked).toEqual([]);
  });

  it.each([
    [
      'an unclaimed Namespace (made by hand, or for an entity not registered then)',
      [namespace('project-shop-production')],
      /id: project 'shop' would take over objects that are not component:default\/shop's: Namespace project-shop-production exists without a claim\. Choose another id, delete what is a leftover, or have the platform team claim it for component:default\/shop \(annotation gitops\.backstage\.io\/entity-ref: component:default\/shop, written with field manager backstage-gitops\); nothing was applied/,
    ],
    [
      "another entity's Namespace",
      [namespace('project-shop-development', OTHER)],
      /Namespace project-shop-development belongs to component:default\/payments/,
    ],
    [
      'a claim for the entity that someone else wrote',
      [
        {
          ...namespace('project-shop-development', SHOP),
          metadata: {
            ...namespace('project-shop-development', SHOP).metadata,
            managedFields: [
              {
                manager: 'kubectl',
                operation: 'Update',
                fieldsV1: {
                  'f:metadata': {
                    'f:annotations': { 'f:gitops.backstage.io/entity-ref': {} },
                  },
                },
              },
            ],
          },
        },
      ],
      /claims component:default\/shop, but the claim was written by 'kubectl', not by the portal/,
    ],
  ])('refuses %s instead of adopting it', async (_what, objects, message) => {
    const fakes = setup({ objects });
    await expect(fakes.run({})).rejects.toThrow(message);
    expectNothingDone(fakes);
  });
});
