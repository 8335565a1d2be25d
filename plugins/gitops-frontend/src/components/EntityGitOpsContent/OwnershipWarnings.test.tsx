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
import { screen, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { gitopsApiRef, GitOpsClient } from '../../api';
import { rootRouteRef } from '../../routes';
import { EntityGitOpsContent } from './EntityGitOpsContent';

const server = setupServer();
jest.setTimeout(30_000);

const thief = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'thief',
    annotations: { 'backstage.io/kubernetes-id': 'shop' },
  },
  spec: {},
};

describe('the ownership warnings of the GitOps tab', () => {
  registerMswTestHooks(server);

  it('says which matched objects are another entity’s and which are read-only', async () => {
    const warnings = [
      "2 objects matched by this entity's selector belong to component:default/shop (annotation gitops.backstage.io/entity-ref) and are not shown",
      'Kustomization apps/legacy is also claimed by component:default/legacy and has no gitops.backstage.io/entity-ref annotation: neither entity may act on it until the annotation names one of them',
    ];
    server.use(
      http.get(
        'http://backend/api/gitops/entities/Component/default/thief/status',
        () =>
          HttpResponse.json({
            entityRef: 'component:default/thief',
            selector: 'backstage.io/kubernetes-id=shop',
            warnings,
            clusters: [{ name: 'local', state: 'ok' }],
            environments: [],
          }),
      ),
    );
    const discoveryApi = {
      getBaseUrl: async () => 'http://backend/api/gitops',
    };
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
        <EntityProvider entity={thief}>
          <EntityGitOpsContent />
        </EntityProvider>
      </TestApiProvider>,
      { mountedRoutes: { '/gitops': rootRouteRef } },
    );
    expect(
      await screen.findByText(
        'Some Flux objects are not this entity’s to act on',
        { exact: false },
      ),
    ).toBeInTheDocument();
    const list = screen.getByTestId('ownership-warnings');
    for (const warning of warnings) {
      expect(within(list).getByText(warning)).toBeInTheDocument();
    }
    expect(screen.getByText('No Flux objects found')).toBeInTheDocument();
  });
});
