import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { stringify } from 'yaml';
import { childEnv, PackedPlugin, runCommand, runYarn } from './packPlugins';

/** Backstage's backend packages the app runs, at packages/backend's ranges. */
const BACKEND_DEPENDENCIES = [
  '@backstage/backend-defaults',
  '@backstage/backend-plugin-api',
  '@backstage/plugin-catalog-backend',
  '@backstage/plugin-scaffolder-backend',
  '@backstage/plugin-permission-backend',
  '@backstage/plugin-permission-common',
  '@backstage/plugin-permission-node',
  '@backstage/plugin-signals-backend',
  '@backstage/plugin-notifications-backend',
  'pg',
];

/** A frontend app of the new frontend system, at packages/app's ranges. */
const FRONTEND_DEPENDENCIES = [
  '@backstage/frontend-defaults',
  'react',
  'react-dom',
  'react-router-dom',
];

/** The CLI that builds the frontend, at the repository root's ranges. */
const CLI_DEPENDENCIES = ['@backstage/cli', '@backstage/cli-defaults'];

/** Environment variables app-config.yaml reads. */
export const APP_CONFIG_ENV = [
  'POSTGRES_HOST',
  'POSTGRES_PORT',
  'POSTGRES_USER',
  'POSTGRES_PASSWORD',
  'K8S_API_URL',
  'K8S_SA_TOKEN',
  'K8S_CA_DATA',
  'INSTALL_TEST_TOKEN',
] as const;

type AppConfigEnv = (typeof APP_CONFIG_ENV)[number];
/** A config value Backstage substitutes from the environment. */
const fromEnv = (name: AppConfigEnv) => `\${${name}}`;

/** The subject of the static token the test calls the API with. */
const INSTALL_TEST_SUBJECT = 'install-test';

export interface MinimalAppOptions {
  repoRoot: string;
  /** The app's folder, outside the repository; holds the tarballs. */
  dir: string;
  port: number;
  plugins: PackedPlugin[];
  /** Name of the one cluster under kubernetes.clusterLocatorMethods. */
  cluster: string;
}

function rangesOf(manifestFile: string, names: string[]) {
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  const ranges = { ...manifest.devDependencies, ...manifest.dependencies };
  return Object.fromEntries(
    names.map(name => {
      if (!ranges[name]) {
        throw new Error(`${manifestFile} has no dependency on ${name}`);
      }
      return [name, ranges[name]];
    }),
  );
}

function packageJson(options: MinimalAppOptions) {
  const { repoRoot, dir, plugins } = options;
  const root = JSON.parse(
    fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'),
  );
  const tarballs = Object.fromEntries(
    plugins.map(plugin => {
      const relative = path.relative(dir, plugin.tarball);
      if (relative.startsWith('..')) {
        throw new Error(`${plugin.tarball} is not inside the app ${dir}`);
      }
      return [plugin.name, `file:./${relative.split(path.sep).join('/')}`];
    }),
  );
  return {
    name: 'gitops-install-test-app',
    version: '0.0.0',
    private: true,
    engines: root.engines,
    packageManager: root.packageManager,
    dependencies: {
      ...rangesOf(
        path.join(repoRoot, 'packages/backend/package.json'),
        BACKEND_DEPENDENCIES,
      ),
      ...rangesOf(
        path.join(repoRoot, 'packages/app/package.json'),
        FRONTEND_DEPENDENCIES,
      ),
      ...rangesOf(path.join(repoRoot, 'package.json'), CLI_DEPENDENCIES),
      ...tarballs,
    },
    // The packed packages depend on each other at ^0.1.0, which no registry
    // has: the tarballs answer those ranges. The root's resolutions stub
    // platform packages the registry mirror lacks.
    resolutions: { ...root.resolutions, ...tarballs },
    dependenciesMeta: root.dependenciesMeta,
  };
}

/** A CommonJS backend, as the plugins' READMEs tell users to add them. */
function indexJs(plugins: PackedPlugin[]): string {
  const ours = plugins
    .filter(
      p => p.role === 'backend-plugin' || p.role === 'backend-plugin-module',
    )
    .map(p => `backend.add(import('${p.name}'));`);
  return `const { createBackend } = require('@backstage/backend-defaults');
const { createBackendModule } = require('@backstage/backend-plugin-api');
const { AuthorizeResult } = require('@backstage/plugin-permission-common');
const { policyExtensionPoint } = require('@backstage/plugin-permission-node/alpha');

// The permission framework on, with a policy that allows everything.
const allowAllPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'allow-all-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy({
          async handle() {
            return { result: AuthorizeResult.ALLOW };
          },
        });
      },
    });
  },
});

const backend = createBackend();
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(allowAllPolicy);
backend.add(import('@backstage/plugin-signals-backend'));
backend.add(import('@backstage/plugin-notifications-backend'));
${ours.join('\n')}
backend.start();
`;
}

/** The frontend: every plugin among the dependencies, discovered. */
const INDEX_TSX = `import '@backstage/cli/asset-types';
import ReactDOM from 'react-dom/client';
import { createApp } from '@backstage/frontend-defaults';

const app = createApp();
ReactDOM.createRoot(document.getElementById('root')!).render(app.createRoot());
`;

const INDEX_HTML = `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title><%= config.getString('app.title') %></title>
  </head>
  <body>
    <div id="root"></div>
  </body>
</html>
`;

/** Values come from the environment (APP_CONFIG_ENV): no secret on disk. */
function appConfig({ port, cluster }: MinimalAppOptions) {
  const baseUrl = `http://localhost:${port}`;
  return {
    app: { title: 'GitOps install test', baseUrl, packages: 'all' },
    backend: {
      baseUrl,
      listen: { port },
      database: {
        client: 'pg',
        prefix: 'install_test_',
        connection: {
          host: fromEnv('POSTGRES_HOST'),
          port: fromEnv('POSTGRES_PORT'),
          user: fromEnv('POSTGRES_USER'),
          password: fromEnv('POSTGRES_PASSWORD'),
        },
      },
      auth: {
        externalAccess: [
          {
            type: 'static',
            options: {
              token: fromEnv('INSTALL_TEST_TOKEN'),
              subject: INSTALL_TEST_SUBJECT,
            },
          },
        ],
      },
    },
    permission: { enabled: true },
    kubernetes: {
      serviceLocatorMethod: { type: 'multiTenant' },
      clusterLocatorMethods: [
        {
          type: 'config',
          clusters: [
            {
              name: cluster,
              url: fromEnv('K8S_API_URL'),
              authProvider: 'serviceAccount',
              serviceAccountToken: fromEnv('K8S_SA_TOKEN'),
              caData: fromEnv('K8S_CA_DATA'),
            },
          ],
        },
      ],
    },
    gitops: {
      clusterCredentials: [
        { name: cluster, serviceAccountToken: fromEnv('K8S_SA_TOKEN') },
      ],
    },
  };
}

/**
 * Writes a minimal Backstage app into `dir`: package.json on the tarballs,
 * the repository's Yarn release, settings, platform stubs and yarn.lock
 * (Yarn keeps the locked versions that still match, so resolution stays
 * offline), the backend's index.js, a frontend (src/, public/) and
 * app-config.yaml.
 */
export function writeMinimalApp(options: MinimalAppOptions): void {
  const { repoRoot, dir } = options;
  fs.mkdirSync(path.join(dir, '.yarn'), { recursive: true });
  for (const sub of ['releases', 'stubs']) {
    fs.cpSync(path.join(repoRoot, '.yarn', sub), path.join(dir, '.yarn', sub), {
      recursive: true,
    });
  }
  for (const file of ['.yarnrc.yml', 'yarn.lock']) {
    fs.copyFileSync(path.join(repoRoot, file), path.join(dir, file));
  }
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    `${JSON.stringify(packageJson(options), null, 2)}\n`,
  );
  fs.writeFileSync(path.join(dir, 'index.js'), indexJs(options.plugins));
  fs.mkdirSync(path.join(dir, 'src'));
  fs.writeFileSync(path.join(dir, 'src/index.tsx'), INDEX_TSX);
  fs.mkdirSync(path.join(dir, 'public'));
  fs.writeFileSync(path.join(dir, 'public/index.html'), INDEX_HTML);
  fs.writeFileSync(
    path.join(dir, 'app-config.yaml'),
    stringify(appConfig(options)),
  );
}

/** `yarn install` in the app; the lockfile is the app's own to update. */
export async function installMinimalApp(dir: string): Promise<void> {
  const output = await runYarn(dir, ['install'], {
    env: childEnv({ YARN_ENABLE_IMMUTABLE_INSTALLS: 'false' }),
  });
  fs.writeFileSync(path.join(dir, 'yarn-install.log'), output);
}

/** Bundles src/index.tsx into dist/ as Backstage builds an app's frontend. */
export async function buildFrontend(dir: string): Promise<void> {
  await runYarn(dir, [
    'backstage-cli',
    'package',
    'build',
    '--role',
    'frontend',
  ]);
}

export interface RunningBackend {
  process: ChildProcess;
  /** Its exit code (null when a signal ended it). */
  exited: Promise<number | null>;
  log(): string;
}

/** `node index.js --config app-config.yaml` as in production. */
export function startBackend(
  dir: string,
  env: Record<string, string>,
): RunningBackend {
  const logFile = path.join(dir, 'backend.log');
  const out = fs.openSync(logFile, 'w');
  const child = spawn(
    process.execPath,
    ['index.js', '--config', 'app-config.yaml'],
    {
      cwd: dir,
      env: childEnv({ ...env, NODE_ENV: 'production' }),
      stdio: ['ignore', out, out],
    },
  );
  fs.closeSync(out);
  return {
    process: child,
    exited: new Promise(resolve => child.once('exit', code => resolve(code))),
    log: () => fs.readFileSync(logFile, 'utf8'),
  };
}

/** The first of the ports nothing listens on. */
export async function freePort(candidates: number[]): Promise<number> {
  for (const port of candidates) {
    const free = await new Promise<boolean>(resolve => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`ports ${candidates.join(', ')} are all taken`);
}

/** Where Node.js finds a package from `fromDir` (node_modules up the tree). */
export function findInstalled(
  name: string,
  fromDir: string,
): string | undefined {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * Removes a folder in a process of its own that outlives the test: the
 * ~100,000 files of an app's node_modules take minutes to unlink here.
 */
export function removeInBackground(dir: string): void {
  spawn('rm', ['-rf', dir], { detached: true, stdio: 'ignore' }).unref();
}

/** Disk use of a folder, in MB. */
export async function diskUsageMb(dir: string): Promise<number> {
  const output = await runCommand('du', ['-sk', dir], { cwd: dir });
  return Math.round(Number(output.split('\t')[0]) / 1024);
}

/**
 * The configuration schemas Backstage finds for `packages` in the app, and
 * the values of `config` it would redact as secrets.
 */
export async function probeConfigSchemas(
  dir: string,
  packages: string[],
  config: object,
): Promise<{ schemas: string[]; secrets: unknown }> {
  const script = `
const defaults = require.resolve('@backstage/backend-defaults');
const { loadConfigSchema } = require(
  require.resolve('@backstage/config-loader', { paths: [defaults] }),
);
(async () => {
  const [packages, data] = process.argv.slice(1).map(a => JSON.parse(a));
  const schema = await loadConfigSchema({ dependencies: packages });
  const [secrets] = schema.process([{ data, context: 'probe' }], {
    visibility: ['secret'],
    ignoreSchemaErrors: true,
  });
  const schemas = schema.serialize().schemas.map(s => s.packageName);
  console.log(JSON.stringify({ schemas, secrets: secrets.data }));
})().catch(error => {
  console.error(error);
  process.exit(1);
});`;
  const output = await runCommand(
    process.execPath,
    ['-e', script, JSON.stringify(packages), JSON.stringify(config)],
    { cwd: dir },
  );
  return JSON.parse(output.trim().split('\n').pop() ?? '{}');
}
