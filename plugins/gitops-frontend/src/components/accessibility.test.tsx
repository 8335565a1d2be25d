import { Entity } from '@backstage/catalog-model';
import { discoveryApiRef, fetchApiRef } from '@backstage/core-plugin-api';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  mockApis,
  MockFetchApi,
  registerMswTestHooks,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import axe from 'axe-core';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { ReactNode } from 'react';
import { gitopsApiRef, GitOpsClient } from '../api';
import { rootRouteRef } from '../routes';
import { EntityGitOpsContent } from './EntityGitOpsContent';
import { GitOpsPage } from './GitOpsPage';

/*
 * axe-core on the rendered tab and page. jsdom has no layout, so colour
 * contrast is left to the browser test (layout.e2e.test.ts); what is
 * checked here is structure: names of buttons and links, nesting, ARIA.
 */
const server = setupServer();
jest.setTimeout(60_000);

const SHA = 'a'.repeat(40);
function object(environment: string, kind: string, state = 'Ready') {
  const repo = `shop-${environment}-repo`;
  return {
    cluster: 'local',
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind,
    namespace: `project-shop-${environment}`,
    name: kind === 'GitRepository' ? repo : `shop-${environment}`,
    environment,
    state,
    ready: state === 'Ready' ? 'True' : 'False',
    message: `Applied revision: main@sha1:${SHA}`,
    suspended: false,
    revision: `main@sha1:${SHA}`,
    shortRevision: 'main@aaaaaaa',
    source: {
      kind: 'GitRepository',
      namespace: `project-shop-${environment}`,
      name: repo,
    },
    url: 'http://git.example.com/acme/shop.git',
    dependsOn: [{ namespace: 'x', name: 'shop-development', state: 'Ready' }],
    workloads: [
      {
        kind: 'Deployment',
        namespace: 'x',
        name: 'shop',
        health: 'Healthy',
        ready: '1/1',
      },
    ],
  };
}

async function render(ui: ReactNode) {
  const discoveryApi = { getBaseUrl: async () => 'http://backend/api/gitops' };
  const fetchApi = new MockFetchApi();
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [discoveryApiRef, discoveryApi],
        [fetchApiRef, fetchApi],
        [permissionApiRef, mockApis.permission()],
        [gitopsApiRef, new GitOpsClient({ discoveryApi, fetchApi })],
      ]}
    >
      {ui}
    </TestApiProvider>,
    { mountedRoutes: { '/gitops': rootRouteRef } },
  );
}

async function seriousViolations(): Promise<string[]> {
  const result = await axe.run(document.body, {
    rules: { 'color-contrast': { enabled: false } },
  });
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `${v.id}: ${v.nodes[0]?.html.slice(0, 120)}`);
}

describe('accessibility', () => {
  registerMswTestHooks(server);

  beforeEach(() =>
    server.use(
      http.get(
        'http://backend/api/gitops/entities/Component/default/shop/status',
        () =>
          HttpResponse.json({
            entityRef: 'component:default/shop',
            selector: 'backstage.io/kubernetes-id=shop',
            clusters: [],
            environments: ['development', 'staging'].map(name => ({
              name,
              state: 'Ready',
              revision: `main@sha1:${SHA}`,
              shortRevision: 'main@aaaaaaa',
              objects: [
                object(name, 'Kustomization'),
                object(name, 'GitRepository'),
              ],
            })),
          }),
      ),
      http.get(
        'http://backend/api/gitops/entities/Component/default/shop/objects/:cluster/:kind/:ns/:name/drift',
        () =>
          HttpResponse.json({
            fluxManager: 'kustomize-controller',
            total: 2,
            checked: 2,
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
                    live: '3',
                  },
                ],
              },
            ],
            unreadable: [],
            syncEffect: 'Sync applies Git again.',
            checkedAt: '2026-11-22T00:00:00Z',
          }),
      ),
      http.get('http://backend/api/gitops/health', () =>
        HttpResponse.json({
          items: [
            {
              cluster: 'local',
              finishedAt: '2026-11-22T00:00:00Z',
              checks: [],
              findings: [
                {
                  code: 'GIT_AUTH_FAILED',
                  cluster: 'local',
                  object: {
                    kind: 'GitRepository',
                    namespace: 'project-shop-development',
                    name: 'shop-development-repo',
                  },
                  cause: 'The Git server refused the credentials.',
                },
              ],
            },
          ],
        }),
      ),
      http.get(
        'http://backend/api/gitops/entities/Component/default/shop/deploys',
        () =>
          HttpResponse.json({
            items: [
              {
                id: 1,
                environment: 'development',
                cluster: 'local',
                namespace: 'project-shop-development',
                kustomization: 'shop-development',
                method: 'pipeline',
                status: 'succeeded',
                commitSha: SHA,
                commitUrl: `http://git.example.com/acme/shop/commit/${SHA}`,
                commitMessage: 'Release 1.2',
                triggeredBy: 'pipeline:ci',
                createdAt: '2026-11-22T00:00:00Z',
                finishedAt: '2026-11-22T00:01:00Z',
              },
            ],
          }),
      ),
      http.get('http://backend/api/gitops/objects', () =>
        HttpResponse.json({
          clusters: [],
          items: [
            object('development', 'Kustomization', 'Failed'),
            object('staging', 'Kustomization'),
          ],
        }),
      ),
    ),
  );

  it('finds nothing serious on the GitOps tab', async () => {
    const entity: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: 'shop',
        annotations: { 'backstage.io/kubernetes-id': 'shop' },
      },
      spec: {},
    };
    await render(
      <EntityProvider entity={entity}>
        <EntityGitOpsContent />
      </EntityProvider>,
    );
    await screen.findByTestId('environment-development');
    await screen.findByText('GIT_AUTH_FAILED');
    await screen.findByTestId('method-pipeline');
    expect(await seriousViolations()).toEqual([]);
  });

  it('finds nothing serious on the GitOps page', async () => {
    await render(<GitOpsPage />);
    await screen.findByTestId('count-state-Failed');
    expect(await seriousViolations()).toEqual([]);
  });
});
