import { backendUrl } from './portal/portalApi';
import { ExtraBackend } from './portal/extraBackend';

jest.setTimeout(240_000);

const SERVICE_TOKEN =
  process.env.GITOPS_SERVICE_TOKEN ?? 'local-stack-service-token';
const guestSignIn = (base: string) =>
  fetch(`${base}/api/auth/guest/refresh?env=development`, {
    headers: { 'X-Requested-With': 'XMLHttpRequest' },
  });

/**
 * The production build with app-config.production.yaml, as a platform team
 * starts it (NODE_ENV=production), on the suite's PostgreSQL and cluster: a
 * second process beside the suite's portal, on a port of its own.
 */
describe('the production build with the production configuration', () => {
  let backend: ExtraBackend;

  beforeAll(async () => {
    backend = await ExtraBackend.start({
      name: 'production-config-portal',
      port: 7017,
      configs: [
        'app-config.yaml',
        'app-config.stack.yaml',
        'app-config.production.yaml',
      ],
      overrides: ['  database:', '    prefix: production_config_'],
      // Its paths are relative to the repository, as in an image.
      cwd: '',
    });
  });
  afterAll(() => backend?.kill('SIGKILL'));

  it('refuses guest sign-in, which the suite configuration allows', async () => {
    const refused = await guestSignIn(backend.url);
    expect(refused.status).toBe(403);
    const body = await refused.json();
    expect(body.error.message).toContain('dangerouslyAllowOutsideDevelopment');
    expect(JSON.stringify(body)).not.toContain('backstageIdentity');

    expect((await guestSignIn(backendUrl)).status).toBe(200);
  });

  it('serves the GitOps plugin on PostgreSQL', async () => {
    const response = await fetch(`${backend.url}/api/gitops/clusters`, {
      headers: { Authorization: `Bearer ${SERVICE_TOKEN}` },
    });
    expect(response.status).toBe(200);
    expect((await response.json()).items).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'local' })]),
    );
  });

  it('exits on SIGTERM with its watches closed', async () => {
    backend.kill('SIGTERM');
    expect(await backend.exit(30_000)).toBe(0);
    expect(backend.log()).toContain(
      'GitOps shut down: nothing in flight, watches closed, workspace removed',
    );
  });
});
