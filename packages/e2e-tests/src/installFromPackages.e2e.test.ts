import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  APP_CONFIG_ENV,
  buildFrontend,
  diskUsageMb,
  findInstalled,
  freePort,
  installMinimalApp,
  probeConfigSchemas,
  removeInBackground,
  RunningBackend,
  startBackend,
  writeMinimalApp,
} from './install/minimalApp';
import {
  entryPointTargets,
  PackedPlugin,
  packPlugins,
  readManifest,
} from './install/packPlugins';
import { ServerFailure, waitFor } from './stack/kube';
import { repoPath } from './stack/stackEnv';

// Cold, building, packing and installing ~2,000 packages take minutes.
jest.setTimeout(20 * 60_000);

const BACKEND_PLUGIN = '@gitops-backstage/plugin-gitops-backend';
const SCAFFOLDER_MODULE =
  '@gitops-backstage/plugin-scaffolder-backend-module-gitops';
const FRONTEND_PLUGIN = '@gitops-backstage/plugin-gitops';
const PLUGINS = [
  BACKEND_PLUGIN,
  SCAFFOLDER_MODULE,
  FRONTEND_PLUGIN,
  '@gitops-backstage/plugin-gitops-common',
  '@gitops-backstage/plugin-gitops-node',
];
const CLUSTER = 'install-test-cluster';

const log = (line: string) =>
  process.stderr.write(`[installFromPackages] ${line}\n`);

async function phase<T>(name: string, step: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const result = await step();
  log(`${name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

/** PostgreSQL and a cluster from the suite's environment; no stack.env. */
function appEnvironment(): Record<string, string> {
  const names = APP_CONFIG_ENV.filter(name => name !== 'INSTALL_TEST_TOKEN');
  const missing = names.filter(name => !process.env[name]);
  if (missing.length > 0) {
    throw new Error(
      `${missing.join(
        ', ',
      )} not set: the app needs a PostgreSQL it may create ` +
        'databases in (POSTGRES_HOST, POSTGRES_PORT, POSTGRES_USER, ' +
        'POSTGRES_PASSWORD; scripts/test sets them) and a cluster (K8S_API_URL, ' +
        'K8S_SA_TOKEN, K8S_CA_DATA: the local stack, or an unreachable URL ' +
        'such as https://127.0.0.1:1 with any token and CA)',
    );
  }
  return Object.fromEntries(names.map(name => [name, process.env[name]!]));
}

/** Ids of the actions the scaffolder module registers, from its sources. */
function scaffolderActionIds(): string[] {
  const src = repoPath('plugins/scaffolder-gitops-actions/src');
  const moduleSource = fs.readFileSync(path.join(src, 'module.ts'), 'utf8');
  const added = /addActions\(([\s\S]*?)\);/.exec(moduleSource)?.[1] ?? '';
  return [...added.matchAll(/\b(create\w+Action)\(/g)].map(([, factory]) => {
    const from = new RegExp(
      `import \\{[^}]*\\b${factory}\\b[^}]*\\} from '(\\.[^']+)'`,
    ).exec(moduleSource)?.[1];
    const source = from
      ? fs.readFileSync(path.join(src, `${from}.ts`), 'utf8')
      : '';
    const id = new RegExp(
      `function ${factory}\\b[\\s\\S]*?createTemplateAction\\(\\{\\s*id:\\s*'([^']+)'`,
    ).exec(source)?.[1];
    if (!id) throw new Error(`no action id found for ${factory} (${from})`);
    return id;
  });
}

/** The id of the frontend plugin's API, from its sources. */
function frontendApiId(): string {
  const api = repoPath('plugins/gitops-frontend/src/api');
  const id = fs
    .readdirSync(api)
    .map(file => fs.readFileSync(path.join(api, file), 'utf8'))
    .map(source => /createApiRef<\w+>\(\{\s*id:\s*'([^']+)'/.exec(source)?.[1])
    .find(Boolean);
  if (!id) throw new Error(`no createApiRef id in ${api}`);
  return id;
}

/**
 * What a platform team does with our packages: pack them as published,
 * install the tarballs (not the workspace) into a new minimal Backstage
 * backend outside the repository, start it in production mode and use it.
 */
describe('the GitOps plugins installed from their tarballs into a new Backstage app', () => {
  const token = crypto.randomBytes(24).toString('hex');
  let appDir: string;
  let url: string;
  let plugins: PackedPlugin[];
  let backend: RunningBackend | undefined;
  const installed = (name: string) => path.join(appDir, 'node_modules', name);
  const withToken = { headers: { Authorization: `Bearer ${token}` } };

  beforeAll(async () => {
    const env = appEnvironment();
    // Outside the repository: nothing resolves from the workspace's node_modules.
    appDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-install-app-'));
    log(`app in ${appDir}`);
    plugins = await phase('pack', () =>
      packPlugins({
        repoRoot: repoPath(),
        outDir: path.join(appDir, 'tarballs'),
        log,
      }),
    );
    // Chosen late: the backend binds it minutes after packing began.
    const port = await freePort([7027, 7028, 7029]);
    url = `http://localhost:${port}`;
    log(`backend on ${url}`);
    await phase('install', async () => {
      writeMinimalApp({
        repoRoot: repoPath(),
        dir: appDir,
        port,
        plugins,
        cluster: CLUSTER,
      });
      await installMinimalApp(appDir);
    });
    log(`app size after install: ${await diskUsageMb(appDir)} MB`);
    await phase('frontend build', () => buildFrontend(appDir));
    const started = startBackend(appDir, { ...env, INSTALL_TEST_TOKEN: token });
    backend = started;
    await phase('start', () =>
      waitFor(
        'the app backend to be ready',
        async () => {
          if (started.process.exitCode !== null) {
            throw new ServerFailure(
              `it exited with ${started.process.exitCode}:\n${started
                .log()
                .slice(-3000)}`,
            );
          }
          const response = await fetch(`${url}/.backstage/health/v1/readiness`);
          return response.ok || undefined;
        },
        180_000,
      ),
    );
  });

  afterAll(async () => {
    const child = backend?.process;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await backend?.exited;
    }
    if (appDir) removeInBackground(appDir);
  });

  it('packs every plugin package as it would be published', () => {
    expect(plugins.map(p => p.name).sort()).toEqual([...PLUGINS].sort());
    expect(Object.fromEntries(plugins.map(p => [p.name, p.problems]))).toEqual(
      Object.fromEntries(PLUGINS.map(name => [name, []])),
    );
  });

  it("ships the backend plugin's migrations and configuration schema", () => {
    const packed = plugins.find(p => p.name === BACKEND_PLUGIN)!;
    const migrations = fs
      .readdirSync(repoPath('plugins/gitops-backend/migrations'))
      .map(file => `migrations/${file}`);
    expect(migrations.length).toBeGreaterThan(0);
    expect(packed.files).toEqual(expect.arrayContaining(migrations));
    // Backstage's prepack compiles config.d.ts into this JSON schema.
    expect(packed.packed.configSchema).toBe('config.schema.json');
    expect(packed.files).toContain('config.schema.json');
  });

  it('installs the tarballs, which depend on each other, not on the workspace', () => {
    const appRoot = fs.realpathSync(appDir);
    const wrong: string[] = [];
    for (const plugin of plugins) {
      const dir = installed(plugin.name);
      const manifest = readManifest(path.join(dir, 'package.json'));
      if (!fs.realpathSync(dir).startsWith(`${appRoot}/`)) {
        wrong.push(`${plugin.name} is linked from ${fs.realpathSync(dir)}`);
      }
      if (manifest.version !== plugin.manifest.version || manifest.private) {
        wrong.push(`${plugin.name}@${manifest.version} is not the packed one`);
      }
      for (const dependency of Object.keys(manifest.dependencies ?? {})) {
        const found = findInstalled(dependency, dir);
        if (!found) wrong.push(`${plugin.name}: ${dependency} not installed`);
        if (PLUGINS.includes(dependency) && found !== installed(dependency)) {
          wrong.push(`${plugin.name} gets ${dependency} from ${found}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('resolves what the declaration files import, declared or not', () => {
    const unresolved = plugins.flatMap(plugin =>
      plugin.undeclaredTypeImports
        .filter(name => !findInstalled(name, installed(plugin.name)))
        .map(name => `${plugin.name}: ${name}`),
    );
    for (const plugin of plugins.filter(p => p.undeclaredTypeImports.length)) {
      log(
        `note: ${
          plugin.name
        }'s declarations import ${plugin.undeclaredTypeImports.join(
          ', ',
        )} without depending on it`,
      );
    }
    expect(unresolved).toEqual([]);
  });

  it('installs the frontend plugin with every entry point in place', () => {
    const dir = installed(FRONTEND_PLUGIN);
    const manifest = readManifest(path.join(dir, 'package.json'));
    expect(manifest.main).toBeDefined();
    expect(manifest.module).toBeDefined();
    expect(manifest.types).toBeDefined();
    expect(Object.keys(manifest.exports as object)).toEqual(
      expect.arrayContaining(['.', './alpha']),
    );
    const targets = entryPointTargets(manifest);
    expect(targets).toEqual(
      expect.arrayContaining(['dist/alpha.esm.js', 'dist/alpha.d.ts']),
    );
    expect(targets.filter(t => !fs.existsSync(path.join(dir, t)))).toEqual([]);
  });

  it('bundles the frontend plugin into an app that discovers it (app.packages: all)', () => {
    const staticDir = path.join(appDir, 'dist/static');
    expect(fs.existsSync(path.join(appDir, 'dist/index.html'))).toBe(true);
    const apiId = frontendApiId();
    const bundlesWithPlugin = fs
      .readdirSync(staticDir)
      .filter(file => file.endsWith('.js'))
      .filter(file =>
        fs.readFileSync(path.join(staticDir, file), 'utf8').includes(apiId),
      );
    expect(bundlesWithPlugin.length).toBeGreaterThan(0);
  });

  it('ships configuration schemas Backstage loads, keeping cluster tokens secret', async () => {
    const probe = await probeConfigSchemas(
      appDir,
      [BACKEND_PLUGIN, SCAFFOLDER_MODULE],
      {
        gitops: {
          clusterCredentials: [
            { name: CLUSTER, serviceAccountToken: 'probe-token-value' },
          ],
        },
      },
    );
    expect(probe.schemas).toEqual(
      expect.arrayContaining([BACKEND_PLUGIN, SCAFFOLDER_MODULE]),
    );
    expect(JSON.stringify(probe.secrets)).toContain('probe-token-value');
  });

  it('lists the configured cluster at /api/gitops/clusters', async () => {
    const response = await fetch(`${url}/api/gitops/clusters`, withToken);
    expect(response.status).toBe(200);
    expect((await response.json()).items).toEqual([
      expect.objectContaining({ name: CLUSTER }),
    ]);
  });

  it("registers every action of the module's sources with the scaffolder", async () => {
    const ids = scaffolderActionIds();
    expect(ids.length).toBeGreaterThan(0);
    const response = await fetch(`${url}/api/scaffolder/v2/actions`, withToken);
    expect(response.status).toBe(200);
    const listed = ((await response.json()) as Array<{ id: string }>).map(
      action => action.id,
    );
    expect(listed).toEqual(expect.arrayContaining(ids));
  });

  it('refuses a request without a token', async () => {
    const response = await fetch(`${url}/api/gitops/clusters`);
    expect(response.status).toBe(401);
  });

  it('exits with 0 within 30 s of SIGTERM, the plugin shut down', async () => {
    backend!.process.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      backend!.exited,
      new Promise<'still running'>(resolve => {
        timer = setTimeout(() => resolve('still running'), 30_000);
      }),
    ]);
    clearTimeout(timer);
    expect(code).toBe(0);
    expect(backend!.log()).toContain('GitOps shut down');
  });
});
