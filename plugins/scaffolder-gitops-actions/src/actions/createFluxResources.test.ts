import yaml from 'yaml';
import { ConfigReader } from '@backstage/config';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
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

const permissions = {
  authorize: jest.fn(
    async (): Promise<any[]> => [{ result: AuthorizeResult.DENY }],
  ),
};

describe('gitops:flux:create', () => {
  const action = createFluxResourcesAction({ config, permissions });

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
        const namespace = (input.namespacePattern ?? 'project-{id}-{env}')
          .replace('{id}', input.id)
          .replace('{env}', environment.name);
        expect(environment.namespace).toBe(namespace);
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
      { ...baseInput, repoUrl: 'https://other.example.com/x.git' },
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
