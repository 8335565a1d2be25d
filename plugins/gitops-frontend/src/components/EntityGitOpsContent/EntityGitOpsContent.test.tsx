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

  it('shows the selector and the clusters the backend reads', async () => {
    server.use(
      http.get('http://backend/api/gitops/clusters', () =>
        HttpResponse.json({
          items: [
            {
              name: 'local',
              title: 'Local stack',
              url: 'https://127.0.0.1:16443',
            },
          ],
        }),
      ),
    );
    await renderContent(entity({ 'backstage.io/kubernetes-id': 'shop' }));
    expect(await screen.findByText(/Local stack/)).toBeInTheDocument();
    expect(
      screen.getByText('backstage.io/kubernetes-id=shop'),
    ).toBeInTheDocument();
  });

  it('shows the backend error', async () => {
    server.use(
      http.get('http://backend/api/gitops/clusters', () =>
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
