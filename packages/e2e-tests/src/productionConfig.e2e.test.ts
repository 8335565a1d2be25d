import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { backendUrl } from './portal/portalApi';
import { resultsDir } from './portal/portalProcess';
import { waitFor } from './stack/kube';
import { repoPath } from './stack/stackEnv';

jest.setTimeout(240_000);

const PORT = 7017;
const url = `http://localhost:${PORT}`;
const SERVICE_TOKEN =
  process.env.GITOPS_SERVICE_TOKEN ?? 'local-stack-service-token';
const guestSignIn = (base: string) =>
  fetch(`${base}/api/auth/guest/refresh?env=development`, {
    headers: { 'X-Requested-With': 'XMLHttpRequest' },
  });

/**
 * The production build with app-config.production.yaml, as a platform team
 * starts it (NODE_ENV=production, from the repository root), on the suite's
 * PostgreSQL and cluster: a second process beside the suite's portal, on a
 * port of its own.
 */
describe('the production build with the production configuration', () => {
  let backend: ChildProcess;
  let exited: Promise<number | null>;
  const logFile = path.join(resultsDir, 'production-config-portal.log');

  beforeAll(async () => {
    const bundle = process.env.BACKEND_BUNDLE_DIR;
    if (!bundle) {
      throw new Error(
        'BACKEND_BUNDLE_DIR is not set: scripts/test builds the backend bundle (scripts/lib/backend-bundle.sh)',
      );
    }
    const override = path.join(resultsDir, 'app-config.production-test.yaml');
    fs.writeFileSync(
      override,
      [
        'app:',
        `  baseUrl: ${url}`,
        'backend:',
        `  baseUrl: ${url}`,
        `  listen: ':${PORT}'`,
        '  database:',
        '    prefix: production_config_',
      ].join('\n'),
    );
    const log = fs.openSync(logFile, 'w');
    backend = spawn(
      'node',
      [
        path.join(bundle, 'packages/backend'),
        ...[
          'app-config.yaml',
          'app-config.stack.yaml',
          'app-config.production.yaml',
        ].flatMap(file => ['--config', repoPath(file)]),
        '--config',
        override,
      ],
      {
        cwd: repoPath(),
        env: { ...process.env, NODE_ENV: 'production' },
        stdio: ['ignore', log, log],
      },
    );
    exited = new Promise(resolve =>
      backend.once('exit', code => resolve(code)),
    );
    await waitFor(
      'the production-config backend to be ready',
      async () => {
        if (backend.exitCode !== null) {
          throw new Error(
            `it exited with ${backend.exitCode}: ${fs
              .readFileSync(logFile, 'utf8')
              .slice(-2000)}`,
          );
        }
        const response = await fetch(`${url}/.backstage/health/v1/readiness`);
        return response.ok || undefined;
      },
      180_000,
    );
  });
  afterAll(async () => {
    if (backend && backend.exitCode === null) backend.kill('SIGKILL');
  });

  it('refuses guest sign-in, which the suite configuration allows', async () => {
    const refused = await guestSignIn(url);
    expect(refused.status).toBe(403);
    const body = await refused.json();
    expect(body.error.message).toContain('dangerouslyAllowOutsideDevelopment');
    expect(JSON.stringify(body)).not.toContain('backstageIdentity');

    expect((await guestSignIn(backendUrl)).status).toBe(200);
  });

  it('serves the GitOps plugin on PostgreSQL', async () => {
    const response = await fetch(`${url}/api/gitops/clusters`, {
      headers: { Authorization: `Bearer ${SERVICE_TOKEN}` },
    });
    expect(response.status).toBe(200);
    expect((await response.json()).items).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'local' })]),
    );
  });

  it('exits on SIGTERM with its watches closed', async () => {
    backend.kill('SIGTERM');
    const code = await Promise.race([
      exited,
      new Promise<'still running'>(resolve =>
        setTimeout(() => resolve('still running'), 30_000),
      ),
    ]);
    expect(code).toBe(0);
    expect(fs.readFileSync(logFile, 'utf8')).toContain(
      'GitOps shut down: nothing in flight, watches closed, workspace removed',
    );
  });
});
