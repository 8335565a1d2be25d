import { Entity } from '@backstage/catalog-model';
import { discoveryApiRef, fetchApiRef } from '@backstage/core-plugin-api';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import {
  MockFetchApi,
  registerMswTestHooks,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { gitopsApiRef, GitOpsClient } from '../../api';
import { EntityGitOpsContent } from './EntityGitOpsContent';

const server = setupServer();

function entity(annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'shop', annotations },
    spec: {},
  };
}

async function renderContent(e: Entity) {
  const discoveryApi = { getBaseUrl: async () => 'http://backend/api/gitops' };
  const fetchApi = new MockFetchApi();
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [discoveryApiRef, discoveryApi],
        [fetchApiRef, fetchApi],
        [gitopsApiRef, new GitOpsClient({ discoveryApi, fetchApi })],
      ]}
    >
      <EntityProvider entity={e}>
        <EntityGitOpsContent />
      </EntityProvider>
    </TestApiProvider>,
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
      http.get(
        'http://backend/api/gitops/entities/Component/default/shop/status',
        () =>
          HttpResponse.json({
            entityRef: 'component:default/shop',
            selector: 'backstage.io/kubernetes-id=shop',
            clusters: [
              { name: 'local', state: 'ok', since: '2026-11-22T00:00:00Z' },
            ],
            environments: [
              {
                name: 'development',
                state: 'Ready',
                revision: ready.revision,
                shortRevision: 'main@0123456',
                objects: [ready, source],
              },
              { name: 'production', state: 'Suspended', objects: [suspended] },
            ],
          }),
      ),
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
      http.get(
        'http://backend/api/gitops/entities/Component/default/shop/status',
        () =>
          HttpResponse.json({
            entityRef: 'component:default/shop',
            selector: 'backstage.io/kubernetes-id=shop',
            clusters: [
              { name: 'local', state: 'ok', since: '2026-11-22T00:00:00Z' },
            ],
            environments: [
              { name: 'development', state: 'Failed', objects: [failed] },
            ],
          }),
      ),
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
});
