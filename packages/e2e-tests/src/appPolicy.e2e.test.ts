import fs from 'node:fs';
// The app's own decision table, checked against what the running plugins register.
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import { PERMISSION_RULES } from 'backend/src/modules/permissionRules';
import { SAMPLE_SHOP } from './sampleData/seed';
import { backendUrl, callPortal } from './portal/portalApi';
import { adminToken, OTHER_TEAM, userToken } from './portal/users';
import { readStackEnv, repoPath } from './stack/stackEnv';

jest.setTimeout(120_000);

const env = readStackEnv();
const sampleNamespace = `project-${SAMPLE_SHOP.id}-development`;

/** The plugin ids of every backend plugin the portal's backend installs. */
function installedPluginIds(): string[] {
  const backend = JSON.parse(
    fs.readFileSync(repoPath('packages', 'backend', 'package.json'), 'utf8'),
  );
  const ids = new Set<string>();
  for (const name of Object.keys(backend.dependencies)) {
    const manifest = require.resolve(`${name}/package.json`, {
      paths: [repoPath('packages', 'backend')],
    });
    const pkg = JSON.parse(fs.readFileSync(manifest, 'utf8'));
    if (pkg.backstage?.role === 'backend-plugin') {
      ids.add(pkg.backstage.pluginId);
    }
  }
  return [...ids].sort();
}

const otherTeam = () =>
  userToken(env, 'user:default/e2e-other', [
    'user:default/e2e-other',
    OTHER_TEAM,
  ]);

/** A proxied Kubernetes request, as the Kubernetes tab's proxy sends it. */
async function proxy(token: string, apiPath: string) {
  return fetch(`${backendUrl}/api/kubernetes/proxy${apiPath}`, {
    headers: {
      Authorization: `Bearer ${token}`,
      'Backstage-Kubernetes-Cluster': 'local',
    },
  });
}

describe("the app's permission policy on the running portal", () => {
  it('has an explicit rule for every permission that every installed plugin registers', async () => {
    const plugins = installedPluginIds();
    expect(plugins).toEqual(
      expect.arrayContaining(['catalog', 'scaffolder', 'kubernetes', 'gitops']),
    );
    const registered: string[] = [];
    for (const plugin of plugins) {
      const response = await callPortal(
        `/api/${plugin}/.well-known/backstage/permissions/metadata`,
      );
      if (response.status === 404) {
        continue; // the plugin registers no permissions
      }
      if (
        plugin === 'app' &&
        response.headers.get('content-type')?.startsWith('text/html')
      ) {
        // The app plugin, serving the built frontend, answers every path it
        // does not know with the page: it registers no permissions.
        continue;
      }
      expect({ plugin, status: response.status }).toEqual({
        plugin,
        status: 200,
      });
      const { permissions = [] } = await response.json();
      registered.push(...permissions.map((p: { name: string }) => p.name));
    }
    // Not empty: the catalog alone registers a dozen.
    expect(registered.length).toBeGreaterThan(20);
    const withoutRule = registered.filter(name => !(name in PERMISSION_RULES));
    expect(withoutRule).toEqual([]);
  });

  it("refuses the Kubernetes proxy to users who are not admins (another team's Secrets)", async () => {
    const guest = await (async () => {
      const response = await fetch(
        `${backendUrl}/api/auth/guest/refresh?env=development`,
        { headers: { 'X-Requested-With': 'XMLHttpRequest' } },
      );
      return (await response.json()).backstageIdentity.token as string;
    })();
    for (const token of [guest, otherTeam()]) {
      const secrets = await proxy(
        token,
        `/api/v1/namespaces/${sampleNamespace}/secrets`,
      );
      expect(secrets.status).toBe(403);
      expect(await secrets.text()).not.toContain('identity');
    }
  });

  it("gives admins the proxy with the Kubernetes plugin's read-only account: no Secrets, no writes", async () => {
    const admin = adminToken(env);
    const namespaces = await proxy(admin, '/api/v1/namespaces');
    expect(namespaces.status).toBe(200);
    const secrets = await proxy(
      admin,
      `/api/v1/namespaces/${sampleNamespace}/secrets`,
    );
    // The cluster refuses the `view` role: Secrets are not in it.
    expect(secrets.status).toBe(403);
    expect(await secrets.text()).toContain('backstage-kubernetes-view');
    const write = await fetch(
      `${backendUrl}/api/kubernetes/proxy/api/v1/namespaces/${sampleNamespace}/configmaps`,
      {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${admin}`,
          'Backstage-Kubernetes-Cluster': 'local',
          'Content-Type': 'application/json',
        },
        body: JSON.stringify({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'written-through-the-proxy' },
        }),
      },
    );
    expect(write.status).toBe(403);
  });

  it("refuses another team deleting a team's catalog location and entity; both stay", async () => {
    const entityPath = `/api/catalog/entities/by-name/component/default/${SAMPLE_SHOP.id}`;
    const entity = await (await callPortal(entityPath)).json();
    const location = await (
      await callPortal(
        `/api/catalog/locations/by-entity/component/default/${SAMPLE_SHOP.id}`,
      )
    ).json();
    const token = otherTeam();
    const deleteLocation = await callPortal(
      `/api/catalog/locations/${location.id}`,
      { method: 'DELETE', token },
    );
    expect(deleteLocation.status).toBe(403);
    const deleteEntity = await callPortal(
      `/api/catalog/entities/by-uid/${entity.metadata.uid}`,
      { method: 'DELETE', token },
    );
    expect(deleteEntity.status).toBe(403);
    const after = await callPortal(entityPath);
    expect(after.status).toBe(200);
    expect((await after.json()).metadata.uid).toBe(entity.metadata.uid);
  });

  it("refuses another user reading someone's scaffolder task and its log", async () => {
    const tasks = await callPortal('/api/scaffolder/v2/tasks?limit=1');
    expect(tasks.status).toBe(200);
    const [task] = (await tasks.json()).tasks;
    expect(task?.id).toBeTruthy();
    const own = await callPortal(`/api/scaffolder/v2/tasks/${task.id}`);
    expect(own.status).toBe(200);
    const token = otherTeam();
    for (const suffix of ['', '/events']) {
      const other = await callPortal(
        `/api/scaffolder/v2/tasks/${task.id}${suffix}`,
        { token },
      );
      expect([suffix, other.status]).toEqual([suffix, 403]);
    }
  });
});
