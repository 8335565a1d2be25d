import yaml from 'yaml';
import { ConfigReader } from '@backstage/config';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { createWaitForFluxAction } from './waitForFlux';
import { examples } from './waitForFlux.examples';

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

const development = {
  name: 'development',
  cluster: 'local',
  workload: {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    namespace: 'project-shop-development',
    name: 'shop-development',
  },
};

describe('gitops:flux:wait', () => {
  const action = createWaitForFluxAction({ config });

  it.each(examples.map(e => [e.description, e]))(
    'accepts the example in a dry run: %s',
    async (_description, example) => {
      const input = yaml.parse(example.example).steps[0].input;
      if (typeof input.environments === 'string') {
        input.environments = [development];
      }
      if (input.revision?.includes('${{')) {
        input.revision = 'abcdef0';
      }
      const ctx = {
        ...createMockActionContext({ input }),
        isDryRun: true,
      };
      const logged = jest.spyOn(ctx.logger, 'info');
      // The cluster URL points nowhere: a dry run that asked would fail.
      await expect(action.handler(ctx as any)).resolves.toBeUndefined();
      expect(ctx.output).toHaveBeenCalledWith('environments', []);
      expect(logged).toHaveBeenCalledWith(
        `Would wait for ${input.environments
          .map((e: any) => e.name)
          .join(', ')} to be Ready at ${input.revision ?? 'their revision'}`,
      );
    },
  );

  it('does not wait for a suspended environment', async () => {
    const ctx = createMockActionContext({
      input: {
        environments: [
          {
            ...development,
            workload: { ...development.workload, suspended: true },
          },
        ],
      },
    });
    await action.handler(ctx as any);
    expect(ctx.output).toHaveBeenCalledWith('environments', [
      { name: 'development', state: 'suspended' },
    ]);
  });

  it('fails naming the environment and the unreachable cluster', async () => {
    const ctx = createMockActionContext({
      input: { environments: [development], timeout: '1s', pollInterval: 200 },
    });
    await expect(action.handler(ctx as any)).rejects.toThrow(
      /- development: \[CLUSTER_UNREACHABLE\] Kustomization project-shop-development\/shop-development not Ready .*ECONNREFUSED/,
    );
  });

  it('rejects a revision that is not a commit sha', async () => {
    const ctx = createMockActionContext({
      input: { environments: [development], revision: 'main' },
    });
    await expect(action.handler(ctx as any)).rejects.toThrow(
      /revision: must be a commit sha/,
    );
  });
});
