import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import yaml from 'yaml';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { createManifestsAction } from './createManifests';
import { examples } from './createManifests.examples';

describe('gitops:manifests:create', () => {
  const action = createManifestsAction();
  let workspacePath: string;

  beforeEach(async () => {
    workspacePath = await fs.mkdtemp(path.join(os.tmpdir(), 'manifests-'));
  });
  afterEach(async () => {
    await fs.rm(workspacePath, { recursive: true, force: true });
  });

  it.each(examples.map(e => [e.description, e]))(
    'runs the example: %s',
    async (_description, example) => {
      const input = yaml.parse(example.example).steps[0].input;
      const ctx = createMockActionContext({ input, workspacePath });
      await action.handler(ctx);
      const overlays = (ctx.output as jest.Mock).mock.calls.find(
        ([key]) => key === 'overlayPaths',
      )[1];
      for (const overlay of Object.values<string>(overlays)) {
        const kustomization = path.join(
          workspacePath,
          overlay,
          'kustomization.yaml',
        );
        await expect(fs.stat(kustomization)).resolves.toBeTruthy();
      }
    },
  );

  it('writes base and overlays with the per-environment settings', async () => {
    const ctx = createMockActionContext({
      workspacePath,
      input: {
        name: 'shop',
        image: 'nginx:1.27',
        port: 8080,
        targetPath: '.',
        replicas: 1,
        environments: [
          {
            name: 'development' as const,
            replicas: 1,
            env: { LOG_LEVEL: 'debug' },
          },
          { name: 'production' as const, replicas: 3, image: 'nginx:1.26' },
        ],
      },
    });
    await action.handler(ctx);

    const read = async (p: string) =>
      yaml.parse(await fs.readFile(path.join(workspacePath, p), 'utf8'));
    const base = await read('k8s/base/kustomization.yaml');
    expect(base.resources).toEqual(['deployment.yaml', 'service.yaml']);
    expect(base.labels[0].pairs).toEqual({
      'backstage.io/kubernetes-id': 'shop',
    });

    const prod = await read('k8s/overlays/production/deployment.yaml');
    expect(prod.spec.replicas).toBe(3);
    expect(prod.spec.template.spec.containers[0]).toEqual({
      name: 'app',
      image: 'nginx:1.26',
    });
    const dev = await read('k8s/overlays/development/deployment.yaml');
    expect(dev.spec.template.spec.containers[0].env).toEqual([
      { name: 'LOG_LEVEL', value: 'debug' },
    ]);
    expect(ctx.output).toHaveBeenCalledWith('overlayPaths', {
      development: './k8s/overlays/development',
      production: './k8s/overlays/production',
    });
  });

  it('writes nothing on a dry run', async () => {
    // The mock context does not take isDryRun; the scaffolder sets it on the context.
    const ctx = {
      ...createMockActionContext({
        workspacePath,
        input: {
          name: 'shop',
          image: 'nginx:1.27',
          port: 8080,
          targetPath: '.',
          replicas: 1,
          environments: [{ name: 'development' as const, replicas: 1 }],
        },
      }),
      isDryRun: true,
    };
    await action.handler(ctx);
    await expect(fs.readdir(workspacePath)).resolves.toEqual([]);
    expect(ctx.output).toHaveBeenCalledWith('overlayPaths', {
      development: './k8s/overlays/development',
    });
  });

  it('refuses a target path outside the workspace', async () => {
    const ctx = createMockActionContext({
      workspacePath,
      input: {
        name: 'shop',
        image: 'nginx:1.27',
        port: 8080,
        targetPath: '../escape',
        replicas: 1,
        environments: [{ name: 'development' as const, replicas: 1 }],
      },
    });
    await expect(action.handler(ctx)).rejects.toThrow(
      /outside.*workspace|not allowed/i,
    );
  });
});

describe('gitops:manifests:create input', () => {
  const action = createManifestsAction();

  it.each([
    [{ name: 'Shop_API' }, /name: must be a DNS-1123 label/],
    [{ image: '' }, /image: must not be empty/],
    [
      { environments: [{ name: 'qa' }] },
      /environments\.0\.name: Invalid enum value/,
    ],
    [
      { environments: [{ name: 'staging', replicas: -1 }] },
      /environments\.0\.replicas/,
    ],
    [
      { environments: [{ name: 'staging', env: { '1BAD': 'x' } }] },
      /environments\.0\.env\.1BAD: env var names/,
    ],
  ])('names the field of bad input %j', async (override, message) => {
    const ctx = createMockActionContext({
      workspacePath: os.tmpdir(),
      input: {
        name: 'shop',
        image: 'nginx:1.27',
        environments: [{ name: 'development' }],
        ...override,
      } as any,
    });
    await expect(action.handler(ctx)).rejects.toThrow(message);
  });
});
