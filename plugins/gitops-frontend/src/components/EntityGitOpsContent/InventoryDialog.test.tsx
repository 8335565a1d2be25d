import { Entity } from '@backstage/catalog-model';
import { discoveryApiRef, fetchApiRef } from '@backstage/core-plugin-api';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { kubernetesApiRef } from '@backstage/plugin-kubernetes-react';
import {
  MockFetchApi,
  registerMswTestHooks,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { FluxObjectStatus } from '@gitops-backstage/plugin-gitops-common';
import { fireEvent, screen } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { gitopsApiRef, GitOpsClient } from '../../api';
import { InventoryDialog } from './InventoryDialog';

const server = setupServer();
jest.setTimeout(30_000);

const entity = (annotations: Record<string, string>): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'shop', namespace: 'default', annotations },
  spec: {},
});

const object = {
  cluster: 'local',
  kind: 'Kustomization',
  namespace: 'apps',
  name: 'shop-dev',
} as FluxObjectStatus;

const tree = {
  total: 4,
  root: {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    namespace: 'apps',
    name: 'shop-dev',
    children: [
      {
        kind: 'Deployment',
        namespace: 'apps',
        items: [
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            namespace: 'apps',
            name: 'shop',
            health: 'Progressing',
            ready: '0/1',
            reason: 'ImagePullBackOff',
          },
        ],
      },
      {
        kind: 'ConfigMap',
        namespace: 'apps',
        items: [
          {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            namespace: 'apps',
            name: 'shop-config',
          },
        ],
      },
      // A custom resource called like a workload: no link.
      {
        kind: 'Job',
        namespace: 'apps',
        items: [
          {
            apiVersion: 'example.com/v1',
            kind: 'Job',
            namespace: 'apps',
            name: 'custom-job',
          },
        ],
      },
      {
        kind: 'Kustomization',
        namespace: 'apps',
        items: [
          {
            apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
            kind: 'Kustomization',
            namespace: 'apps',
            name: 'shop-db',
            state: 'ready',
          },
        ],
      },
    ],
  },
};

async function renderDialog(
  annotations: Record<string, string>,
  withKubernetesPlugin: boolean,
) {
  const discoveryApi = { getBaseUrl: async () => 'http://backend/api/gitops' };
  const fetchApi = new MockFetchApi();
  server.use(
    http.get(
      'http://backend/api/gitops/entities/component/default/shop/objects/local/Kustomization/apps/shop-dev/inventory',
      () => HttpResponse.json(tree),
    ),
  );
  const apis: any[] = [
    [discoveryApiRef, discoveryApi],
    [fetchApiRef, fetchApi],
    [gitopsApiRef, new GitOpsClient({ discoveryApi, fetchApi })],
  ];
  if (withKubernetesPlugin) {
    apis.push([kubernetesApiRef, {}]);
  }
  return renderInTestApp(
    <TestApiProvider apis={apis as any}>
      <EntityProvider entity={entity(annotations)}>
        <InventoryDialog object={object} onClose={() => {}} />
      </EntityProvider>
    </TestApiProvider>,
    {
      mountedRoutes: {
        '/catalog/:namespace/:kind/:name': entityRouteRef,
      },
    },
  );
}

describe('InventoryDialog', () => {
  registerMswTestHooks(server);

  it('shows each object with its health, filters, and links workloads to the Kubernetes tab', async () => {
    await renderDialog({ 'backstage.io/kubernetes-id': 'shop' }, true);
    expect(await screen.findByText('ImagePullBackOff')).toBeInTheDocument();
    expect(screen.getByText('4 objects')).toBeInTheDocument();
    const link = screen.getByRole('link', {
      name: 'Deployment shop in the Kubernetes tab',
    });
    expect(link).toHaveAttribute(
      'href',
      '/catalog/default/component/shop/kubernetes',
    );
    // Only workloads: the Kubernetes tab shows no ConfigMaps.
    expect(
      screen.getAllByRole('link', { name: /Kubernetes tab/ }),
    ).toHaveLength(1);

    fireEvent.change(screen.getByLabelText('Search by name'), {
      target: { value: 'config' },
    });
    expect(screen.getByText('shop-config')).toBeInTheDocument();
    expect(screen.queryByText('ImagePullBackOff')).not.toBeInTheDocument();
  });

  it('links nowhere without the Kubernetes plugin or without the annotation its tab asks for', async () => {
    await renderDialog({ 'backstage.io/kubernetes-id': 'shop' }, false);
    expect(await screen.findByText('ImagePullBackOff')).toBeInTheDocument();
    expect(
      screen.queryByRole('link', { name: /Kubernetes tab/ }),
    ).not.toBeInTheDocument();
  });

  it('links nowhere for an entity the Kubernetes tab does not show', async () => {
    await renderDialog({ 'gitops.backstage.io/selector': 'app=shop' }, true);
    expect(await screen.findByText('ImagePullBackOff')).toBeInTheDocument();
    expect(
      screen.queryByRole('link', { name: /Kubernetes tab/ }),
    ).not.toBeInTheDocument();
  });
});
