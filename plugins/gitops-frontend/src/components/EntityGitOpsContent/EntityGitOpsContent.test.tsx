import { Entity } from '@backstage/catalog-model';
import { discoveryApiRef, fetchApiRef } from '@backstage/core-plugin-api';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  PermissionApi,
  permissionApiRef,
} from '@backstage/plugin-permission-react';
import {
  mockApis,
  MockFetchApi,
  registerMswTestHooks,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { gitopsApiRef, GitOpsClient } from '../../api';
import { rootRouteRef } from '../../routes';
import { EntityGitOpsContent } from './EntityGitOpsContent';

const server = setupServer();
// The tab renders four tables; a shared 2-core machine needs the time.
jest.setTimeout(30_000);

function entity(
  annotations: Record<string, string>,
  namespace?: string,
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'shop', namespace, annotations },
    spec: {},
  };
}

/** The backend's status of `shop` with these environments, its cluster up. */
function shopStatus(environments: unknown[]) {
  return http.get(
    'http://backend/api/gitops/entities/Component/:namespace/shop/status',
    () =>
      HttpResponse.json({
        entityRef: 'component:default/shop',
        selector: 'backstage.io/kubernetes-id=shop',
        clusters: [
          { name: 'local', state: 'ok', since: '2026-11-22T00:00:00Z' },
        ],
        environments,
      }),
  );
}

const OBJECTS =
  'http://backend/api/gitops/entities/Component/:namespace/shop/objects';

/** No drift, unless a test says otherwise. */
const noDrift = http.get(`${OBJECTS}/:cluster/:kind/:ns/:name/drift`, () =>
  HttpResponse.json({
    fluxManager: 'kustomize-controller',
    total: 1,
    checked: 1,
    objects: [],
    unreadable: [],
    syncEffect: 'Sync applies Git again.',
    checkedAt: '2026-12-07T10:00:00Z',
  }),
);

async function renderContent(
  e: Entity,
  {
    permissionApi = mockApis.permission(),
    drift = noDrift,
  }: { permissionApi?: PermissionApi; drift?: typeof noDrift } = {},
) {
  const discoveryApi = { getBaseUrl: async () => 'http://backend/api/gitops' };
  const fetchApi = new MockFetchApi();
  server.use(drift);
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [discoveryApiRef, discoveryApi],
        [fetchApiRef, fetchApi],
        [permissionApiRef, permissionApi],
        [gitopsApiRef, new GitOpsClient({ discoveryApi, fetchApi })],
      ]}
    >
      <EntityProvider entity={e}>
        <EntityGitOpsContent />
      </EntityProvider>
    </TestApiProvider>,
    { mountedRoutes: { '/gitops': rootRouteRef } },
  );
}

describe('EntityGitOpsContent', () => {
  registerMswTestHooks(server);

  it('tells how to link an entity that has no annotation', async () => {
    await renderContent(entity({}));
    expect(
      screen.getByText('This entity is not linked to Flux'),
    ).toBeInTheDocument();
    expect(
      screen.getAllByText('backstage.io/kubernetes-id').length,
    ).toBeGreaterThan(0);
  });

  it('shows each environment and the objects with their actions', async () => {
    const ready = {
      cluster: 'local',
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      namespace: 'project-shop-development',
      name: 'shop-development',
      environment: 'development',
      state: 'Ready',
      ready: 'True',
      reason: 'ReconciliationSucceeded',
      message:
        'Applied revision: main@sha1:0123456789abcdef0123456789abcdef01234567',
      suspended: false,
      revision: 'main@sha1:0123456789abcdef0123456789abcdef01234567',
      shortRevision: 'main@0123456',
      source: {
        kind: 'GitRepository',
        namespace: 'project-shop-development',
        name: 'shop-repo',
      },
      dependsOn: [],
      workloads: [],
    };
    const source = {
      ...ready,
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      name: 'shop-repo',
      url: 'http://git.example.com/acme/shop.git',
      source: undefined,
    };
    const suspended = {
      ...ready,
      namespace: 'project-shop-production',
      name: 'shop-production',
      environment: 'production',
      state: 'Suspended',
      suspended: true,
    };
    server.use(
      shopStatus([
        {
          name: 'development',
          state: 'Ready',
          revision: ready.revision,
          shortRevision: 'main@0123456',
          objects: [ready, source],
        },
        { name: 'production', state: 'Suspended', objects: [suspended] },
      ]),
      http.get('http://backend/api/gitops/health', () =>
        HttpResponse.json({
          items: [
            {
              cluster: 'local',
              finishedAt: '2026-11-22T00:00:00Z',
              findings: [
                {
                  code: 'GIT_AUTH_FAILED',
                  cluster: 'local',
                  object: {
                    kind: 'GitRepository',
                    namespace: source.namespace,
                    name: 'shop-repo',
                  },
                  cause: 'The Git server refused the credentials.',
                },
                {
                  code: 'STALE_SYNC',
                  cluster: 'local',
                  object: {
                    kind: 'Kustomization',
                    namespace: 'elsewhere',
                    name: 'other',
                  },
                  cause: 'not ours',
                },
              ],
            },
          ],
        }),
      ),
    );
    await renderContent(entity({ 'backstage.io/kubernetes-id': 'shop' }));
    const development = await screen.findByTestId('environment-development');
    expect(development).toHaveTextContent('Ready');
    expect(
      screen.getAllByRole('link', { name: /main@0123456/ })[0],
    ).toHaveAttribute(
      'href',
      'http://git.example.com/acme/shop/commit/0123456789abcdef0123456789abcdef01234567',
    );
    expect(screen.getByTestId('environment-production')).toHaveTextContent(
      'Suspended',
    );
    expect(screen.getAllByRole('button', { name: 'Sync' })).toHaveLength(1);
    // The health summary: this entity's findings only, linked to the page.
    const code = await screen.findByText('GIT_AUTH_FAILED');
    expect(code.closest('a')).toHaveAttribute(
      'href',
      '/gitops/health?code=GIT_AUTH_FAILED',
    );
    expect(screen.queryByText('STALE_SYNC')).not.toBeInTheDocument();
    expect(screen.getAllByRole('button', { name: 'Resume' })).toHaveLength(1);
  });

  it('offers no action on objects the entity may not act on, and says why', async () => {
    const reason =
      'Kustomization apps/legacy has no gitops.backstage.io/entity-ref annotation, so it is read-only in the portal';
    const legacy = {
      cluster: 'local',
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      namespace: 'apps',
      name: 'legacy',
      environment: 'production',
      state: 'Ready',
      ready: 'True',
      message: 'Applied revision: main@sha1:abc',
      suspended: false,
      dependsOn: [],
      workloads: [],
      readOnly: reason,
    };
    server.use(
      shopStatus([{ name: 'production', state: 'Ready', objects: [legacy] }]),
      http.get('http://backend/api/gitops/health', () =>
        HttpResponse.json({ items: [] }),
      ),
    );
    await renderContent(entity({ 'backstage.io/kubernetes-id': 'shop' }));
    const card = await screen.findByTestId('environment-production');
    expect(within(card).getByTestId('read-only')).toHaveTextContent(
      `Read-only: ${reason}`,
    );
    expect(screen.queryByRole('button', { name: /^Sync/ })).toBeNull();
    expect(screen.queryByRole('button', { name: /^Suspend/ })).toBeNull();
    expect(
      screen.getByRole('img', { name: `Read-only: ${reason}` }),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Events' })).toBeInTheDocument();
  });

  it('lays the environments out in promotion order and lists failing objects first', async () => {
    const sha = (c: string) => c.repeat(40);
    const object = (environment: string, overrides: object = {}) => ({
      cluster: 'local',
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      namespace: `project-shop-${environment}`,
      name: `shop-${environment}`,
      environment,
      state: 'Ready',
      ready: 'True',
      message: `Applied revision: main@sha1:${sha('a')}`,
      suspended: false,
      revision: `main@sha1:${sha('a')}`,
      shortRevision: 'main@aaaaaaa',
      source: {
        kind: 'GitRepository',
        namespace: `project-shop-${environment}`,
        name: 'shop-repo',
      },
      dependsOn: [],
      workloads: [],
      ...overrides,
    });
    const source = (environment: string, revision: string) => ({
      ...object(environment),
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      name: 'shop-repo',
      revision,
      shortRevision: `main@${revision.slice(-40, -33)}`,
      url: 'http://git.example.com/acme/shop.git',
      source: undefined,
    });
    const longMessage = `kustomize build failed: ${'a very long line of output '.repeat(
      20,
    )}`;
    const environment = (name: string, objects: any[]) => ({
      name,
      state: objects[0].state,
      revision: objects[0].revision,
      shortRevision: objects[0].shortRevision,
      message: objects[0].message,
      objects,
    });
    server.use(
      http.get(
        'http://backend/api/gitops/entities/Component/default/shop/status',
        () =>
          HttpResponse.json({
            entityRef: 'component:default/shop',
            selector: 'backstage.io/kubernetes-id=shop',
            clusters: [{ name: 'local', state: 'ok', since: '' }],
            // Not in promotion order, as a backend may send them.
            environments: [
              environment('production', [
                object('production', { state: 'Suspended', suspended: true }),
              ]),
              environment('development', [
                object('development'),
                source('development', `main@sha1:${sha('a')}`),
              ]),
              environment('staging', [
                object('staging', {
                  state: 'Failed',
                  ready: 'False',
                  reason: 'BuildFailed',
                  message: longMessage,
                }),
                source('staging', `main@sha1:${sha('b')}`),
              ]),
            ],
          }),
      ),
      http.get('http://backend/api/gitops/health', () =>
        HttpResponse.json({ items: [] }),
      ),
    );
    await renderContent(entity({ 'backstage.io/kubernetes-id': 'shop' }));
    await screen.findByTestId('environment-development');
    const cards = within(screen.getByTestId('environments'))
      .getAllByTestId(/^environment-/)
      .map(card => card.dataset.testid);
    expect(cards).toEqual([
      'environment-development',
      'environment-staging',
      'environment-production',
    ]);
    // How each environment compares with what its source fetched.
    expect(screen.getByTestId('environment-development')).toHaveTextContent(
      'up to date',
    );
    expect(screen.getByTestId('environment-staging')).toHaveTextContent(
      'behind: main@bbbbbbb',
    );
    // Actions on the cards, named for the environment.
    // Once the permission backend has answered.
    expect(
      await screen.findByRole(
        'button',
        { name: 'Resume production' },
        { timeout: 10_000 },
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Deploy to staging' }),
    ).toBeInTheDocument();

    // The objects table: the failing Kustomization first.
    const table =
      screen.getByText('Flux objects').closest('table') ??
      screen.getByText('Flux objects').closest('[class*=MuiPaper]')!;
    const rows = within(table as HTMLElement)
      .getAllByRole('row')
      .slice(1);
    expect(rows[0]).toHaveTextContent('shop-staging');
    expect(rows[0]).toHaveTextContent('Failed');

    // A long message stays on one line until it is expanded by keyboard.
    const message = within(rows[0]).getByRole('button', {
      name: /kustomize build failed/,
    });
    expect(message).toHaveAttribute('aria-expanded', 'false');
    message.focus();
    await userEvent.keyboard('{Enter}');
    expect(message).toHaveAttribute('aria-expanded', 'true');
  });

  it('says on an environment card that Flux retries what fails there', async () => {
    const object = (environment: string, overrides: object) => ({
      cluster: 'local',
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      namespace: `project-shop-${environment}`,
      name: `shop-${environment}`,
      environment,
      state: 'Failed',
      ready: 'False',
      reason: 'UpgradeFailed',
      message: 'Helm upgrade failed',
      suspended: false,
      dependsOn: [],
      workloads: [],
      ...overrides,
    });
    const source = (environment: string, overrides: object) =>
      object(environment, {
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        kind: 'GitRepository',
        name: 'shop-repo',
        reason: 'GitOperationFailed',
        ...overrides,
      });
    const failed = (name: string, objects: object[]) => ({
      name,
      state: 'Failed',
      message: 'Helm upgrade failed',
      objects,
    });
    server.use(
      shopStatus([
        failed('staging', [
          object('staging', { retrying: { failures: 3, maxRetries: 5 } }),
          source('staging', { retrying: {} }),
        ]),
        // Stalled: Flux waits for a change, though its source retries.
        failed('production', [
          object('production', {}),
          source('production', { retrying: {} }),
        ]),
      ]),
      http.get('http://backend/api/gitops/health', () =>
        HttpResponse.json({ items: [] }),
      ),
    );
    await renderContent(entity({ 'backstage.io/kubernetes-id': 'shop' }));
    expect(await screen.findByTestId('environment-staging')).toHaveTextContent(
      'Failed · retrying (3 of 5)',
    );
    const production = screen.getByTestId('environment-production');
    expect(production).toHaveTextContent('Failed');
    expect(production).not.toHaveTextContent('retrying');
  });

  it("prefers the health check's finding for an object, and shows a broken Flux install of its cluster", async () => {
    const failed = {
      cluster: 'local',
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      namespace: 'project-shop-development',
      name: 'shop-development',
      environment: 'development',
      state: 'Failed',
      ready: 'False',
      reason: 'ArtifactFailed',
      message: 'failed to download archive: connection refused',
      suspended: false,
      dependsOn: [],
      workloads: [],
    };
    server.use(
      shopStatus([{ name: 'development', state: 'Failed', objects: [failed] }]),
      http.get('http://backend/api/gitops/health', () =>
        HttpResponse.json({
          items: [
            {
              cluster: 'local',
              finishedAt: '2026-11-22T00:00:00Z',
              findings: [
                {
                  code: 'CONTROLLER_UNHEALTHY',
                  severity: 'error',
                  cluster: 'local',
                  object: {
                    kind: 'Kustomization',
                    namespace: failed.namespace,
                    name: failed.name,
                  },
                  cause: 'source-controller is not Available.',
                  evidence: 'x',
                },
                {
                  code: 'FLUX_NOT_INSTALLED',
                  severity: 'critical',
                  cluster: 'local',
                  object: {
                    kind: 'CustomResourceDefinition',
                    name: 'buckets.source.toolkit.fluxcd.io',
                  },
                  cause: 'Flux is installed incompletely.',
                  evidence:
                    'missing CustomResourceDefinitions: buckets.source.toolkit.fluxcd.io',
                },
                {
                  code: 'CLUSTER_UNREACHABLE',
                  severity: 'critical',
                  cluster: 'other-cluster',
                  cause: 'not this entity’s cluster',
                  evidence: 'x',
                },
              ],
            },
          ],
        }),
      ),
    );
    await renderContent(entity({ 'backstage.io/kubernetes-id': 'shop' }));
    expect(await screen.findByText('CONTROLLER_UNHEALTHY')).toBeInTheDocument();
    expect(await screen.findByText('FLUX_NOT_INSTALLED')).toBeInTheDocument();
    // The tab's own wording-only guess for that object is not shown.
    expect(screen.queryByText('ARTIFACT_UNREACHABLE')).not.toBeInTheDocument();
    expect(screen.queryByText('CLUSTER_UNREACHABLE')).not.toBeInTheDocument();
  });

  it('warns when a cluster cannot be read', async () => {
    server.use(
      http.get(
        'http://backend/api/gitops/entities/Component/default/shop/status',
        () =>
          HttpResponse.json({
            entityRef: 'component:default/shop',
            selector: 'backstage.io/kubernetes-id=shop',
            clusters: [
              {
                name: 'local',
                state: 'unreachable',
                error: 'connect ECONNREFUSED',
                since: '2026-11-22T00:00:00Z',
              },
            ],
            environments: [],
          }),
      ),
    );
    await renderContent(entity({ 'backstage.io/kubernetes-id': 'shop' }));
    expect(
      await screen.findByText(/Cluster local cannot be read/),
    ).toBeInTheDocument();
  });

  it('names the cluster of each environment when they live on two, and warns of the one it cannot read', async () => {
    const workload = (cluster: string, environment: string) => ({
      cluster,
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      namespace: `shop-${environment}`,
      name: 'shop',
      environment,
      state: cluster === 'second' ? 'Stale' : 'Ready',
      suspended: false,
      dependsOn: [],
      workloads: [],
    });
    server.use(
      http.get(
        'http://backend/api/gitops/entities/Component/default/shop/status',
        () =>
          HttpResponse.json({
            entityRef: 'component:default/shop',
            selector: 'backstage.io/kubernetes-id=shop',
            clusters: [
              { name: 'local', title: 'Local stack', state: 'ok', since: '' },
              {
                name: 'second',
                title: 'Second cluster',
                state: 'unreachable',
                error: 'connect ECONNREFUSED 127.0.0.1:17443',
                since: '',
              },
            ],
            environments: [
              {
                name: 'development',
                state: 'Ready',
                objects: [workload('local', 'development')],
              },
              {
                name: 'production',
                state: 'Stale',
                objects: [workload('second', 'production')],
              },
            ],
          }),
      ),
    );
    await renderContent(entity({ 'backstage.io/kubernetes-id': 'shop' }));
    expect(
      await screen.findByText(
        'Kustomization in shop-development on Local stack',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Kustomization in shop-production on Second cluster'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/Cluster Second cluster cannot be read/),
    ).toBeInTheDocument();
    expect(
      screen.getByText('connect ECONNREFUSED 127.0.0.1:17443'),
    ).toBeInTheDocument();
    // Actions would answer 503 on the unreachable cluster: none offered
    // there, in the card or the table; the other environment keeps them.
    expect(
      within(screen.getByTestId('environment-production')).getByTestId(
        'actions-unavailable',
      ),
    ).toHaveTextContent(
      'Actions unavailable: cluster Second cluster cannot be read',
    );
    expect(
      screen.queryByRole('button', { name: 'Sync production' }),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Deploy to production' }),
    ).not.toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Sync development' }),
    ).toBeInTheDocument();
    expect(
      screen.getAllByRole('img', {
        name: 'Actions unavailable: cluster Second cluster cannot be read',
      }),
    ).toHaveLength(1);
    expect(screen.getAllByRole('button', { name: 'Sync' })).toHaveLength(1);
  });

  it('shows the backend error', async () => {
    server.use(
      http.get(
        'http://backend/api/gitops/entities/Component/default/shop/status',
        () =>
          HttpResponse.json(
            {
              error: { name: 'Error', message: 'cluster config broken' },
              request: { method: 'GET', url: '/api/gitops/clusters' },
              response: { statusCode: 500 },
            },
            { status: 500 },
          ),
      ),
    );
    await renderContent(entity({ 'backstage.io/kubernetes-id': 'shop' }));
    expect(
      (await screen.findAllByText(/cluster config broken/)).length,
    ).toBeGreaterThan(0);
  });

  describe('drift, the pending change and who may act', () => {
    const development = {
      cluster: 'local',
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      namespace: 'project-shop-development',
      name: 'shop-development',
      environment: 'development',
      state: 'Ready',
      ready: 'True',
      message: 'Applied revision: main@sha1:abc',
      suspended: false,
      dependsOn: [],
      workloads: [],
    };
    const drifted = http.get(
      `${OBJECTS}/local/Kustomization/project-shop-development/shop-development/drift`,
      () =>
        HttpResponse.json({
          fluxManager: 'kustomize-controller',
          total: 3,
          checked: 3,
          objects: [
            {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              namespace: 'project-shop-development',
              name: 'web',
              drift: 'changed',
              fields: [
                {
                  path: 'spec.replicas',
                  manager: 'kubectl',
                  operation: 'Update',
                  subresource: 'scale',
                  time: '2026-12-07T10:00:00Z',
                  live: '3',
                },
              ],
            },
            {
              apiVersion: 'v1',
              kind: 'ConfigMap',
              namespace: 'project-shop-development',
              name: 'settings',
              drift: 'missing',
              fields: [],
            },
          ],
          unreadable: [],
          syncEffect: 'Sync applies Git again: fields Git sets go back.',
          checkedAt: '2026-12-07T10:00:01Z',
        }),
    );
    beforeEach(() =>
      server.use(
        shopStatus([
          { name: 'development', state: 'Ready', objects: [development] },
        ]),
        http.get('http://backend/api/gitops/health', () =>
          HttpResponse.json({ items: [] }),
        ),
      ),
    );

    it('counts drift on the card and lists it, with Sync for who may act', async () => {
      await renderContent(entity({ 'backstage.io/kubernetes-id': 'shop' }), {
        drift: drifted,
      });
      const count = await screen.findByTestId(
        'drift-count',
        {},
        { timeout: 10_000 },
      );
      expect(count).toHaveTextContent('1 object changed, 1 missing');
      await userEvent.click(count);
      const dialog = await screen.findByRole('dialog', {
        name: 'Drift of Kustomization project-shop-development/shop-development',
      });
      const web = within(dialog).getByTestId('drift-Deployment-web');
      expect(web).toHaveTextContent('1 field changed outside Git');
      expect(web).toHaveTextContent('spec.replicas');
      expect(web).toHaveTextContent('kubectl (Update of scale)');
      expect(
        within(dialog).getByTestId('drift-ConfigMap-settings'),
      ).toHaveTextContent('missing from the cluster');
      expect(within(dialog).getByTestId('drift-sync-effect')).toHaveTextContent(
        'Sync applies Git again',
      );
      await userEvent.click(
        within(dialog).getByRole('button', { name: 'Sync' }),
      );
      expect(
        await screen.findByRole('dialog', {
          name: 'Sync Kustomization project-shop-development/shop-development?',
        }),
      ).toBeInTheDocument();
    });

    it('shows what the next sync applies when the source holds a newer commit', async () => {
      const applied = 'a'.repeat(40);
      const fetched = 'b'.repeat(40);
      server.use(
        shopStatus([
          {
            name: 'development',
            state: 'Ready',
            objects: [
              {
                ...development,
                revision: `main@sha1:${applied}`,
                source: {
                  kind: 'GitRepository',
                  namespace: development.namespace,
                  name: 'shop-repo',
                },
              },
              {
                ...development,
                apiVersion: 'source.toolkit.fluxcd.io/v1',
                kind: 'GitRepository',
                name: 'shop-repo',
                revision: `main@sha1:${fetched}`,
                shortRevision: 'main@bbbbbbb',
              },
            ],
          },
        ]),
        http.get(
          'http://backend/api/gitops/entities/Component/default/shop/environments/development/pending',
          () =>
            HttpResponse.json({
              environment: 'development',
              repoUrl: 'http://git.example.com/acme/shop.git',
              appliedCommit: applied,
              sourceCommit: fetched,
              pending: true,
              suspended: false,
              paths: ['deploy/overlays/dev', 'deploy/base'],
              commits: [
                {
                  sha: fetched,
                  author: 'Jane',
                  date: '2026-12-07T10:00:00Z',
                  subject: 'base: two replicas',
                  url: `http://git.example.com/acme/shop/commit/${fetched}`,
                },
              ],
              commitsBetween: 2,
              files: [{ path: 'deploy/base/app.yaml', status: 'modified' }],
              diff: '--- a/deploy/base/app.yaml\n+++ b/deploy/base/app.yaml\n@@ -1 +1 @@\n-replicas: 1\n+replicas: 2\n',
              truncated: false,
            }),
        ),
      );
      await renderContent(entity({ 'backstage.io/kubernetes-id': 'shop' }));
      await userEvent.click(
        await screen.findByTestId('pending-open', {}, { timeout: 10_000 }),
      );
      const dialog = await screen.findByRole('dialog', {
        name: 'What the next sync of development applies',
      });
      expect(
        await within(dialog).findByTestId('pending-commits'),
      ).toHaveTextContent('base: two replicas');
      expect(dialog).toHaveTextContent('(and 1 elsewhere in the repository)');
      expect(within(dialog).getByTestId('pending-diff')).toHaveTextContent(
        '+replicas: 2',
      );
      await userEvent.click(
        within(dialog).getByRole('button', { name: 'Sync' }),
      );
      expect(
        await screen.findByRole('dialog', {
          name: 'Sync Kustomization project-shop-development/shop-development?',
        }),
      ).toBeInTheDocument();
    });

    it('offers no action, on the card, the table or the drift list, to who may not act', async () => {
      // Another namespace: the permission answers are cached per entity.
      await renderContent(
        entity({ 'backstage.io/kubernetes-id': 'shop' }, 'team-b'),
        {
          drift: drifted,
          permissionApi: mockApis.permission({
            authorize: AuthorizeResult.DENY,
          }),
        },
      );
      const card = await screen.findByTestId('environment-development');
      expect(
        await within(card).findByTestId(
          'actions-not-yours',
          {},
          { timeout: 10_000 },
        ),
      ).toHaveTextContent("Actions are for the entity's owners.");
      expect(screen.queryByRole('button', { name: /^Sync/ })).toBeNull();
      expect(screen.queryByRole('button', { name: /^Suspend/ })).toBeNull();
      await userEvent.click(await screen.findByTestId('drift-count'));
      const dialog = await screen.findByRole('dialog');
      await within(dialog).findByTestId('drift-Deployment-web');
      expect(within(dialog).queryByRole('button', { name: 'Sync' })).toBeNull();
    });
  });
});
