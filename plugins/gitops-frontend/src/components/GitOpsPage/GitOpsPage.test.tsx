import { discoveryApiRef, fetchApiRef } from '@backstage/core-plugin-api';
import {
  MockFetchApi,
  registerMswTestHooks,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { useLocation } from 'react-router-dom';
import { gitopsApiRef, GitOpsClient } from '../../api';
import { rootRouteRef } from '../../routes';
import { GitOpsPage } from './GitOpsPage';

const server = setupServer();
jest.setTimeout(30_000);

function object(name: string, cluster: string, state: string) {
  return {
    cluster,
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    namespace: `ns-${name}`,
    name,
    state,
    ready: state === 'Ready' ? 'True' : 'False',
    message: `${name} message`,
    suspended: state === 'Suspended',
    dependsOn: [],
    workloads: [],
  };
}

/** Shows the URL's query, to see the filters land in it. */
function QueryProbe() {
  return <div data-testid="query">{useLocation().search}</div>;
}

async function renderPage(path: string) {
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
      <GitOpsPage />
      <QueryProbe />
    </TestApiProvider>,
    { routeEntries: [path], mountedRoutes: { '/gitops': rootRouteRef } },
  );
}

describe('GitOpsPage', () => {
  registerMswTestHooks(server);

  beforeEach(() => {
    server.use(
      http.get('http://backend/api/gitops/objects', () =>
        HttpResponse.json({
          clusters: [
            { name: 'eu', state: 'ok', since: '' },
            { name: 'us', state: 'ok', since: '' },
          ],
          items: [
            object('a-ready', 'eu', 'Ready'),
            object('b-failed', 'us', 'Failed'),
            object('c-ready', 'us', 'Ready'),
            object('d-suspended', 'eu', 'Suspended'),
          ],
        }),
      ),
    );
  });

  it('counts objects by state and cluster and lists failing ones first', async () => {
    await renderPage('/');
    expect(await screen.findByTestId('count-state-Ready')).toHaveTextContent(
      'Ready2',
    );
    expect(screen.getByTestId('count-state-Failed')).toHaveTextContent(
      'Failed1',
    );
    expect(screen.getByTestId('count-cluster-us')).toHaveTextContent('us2');
    const rows = screen
      .getAllByRole('row')
      .filter(r => /message/.test(r.textContent ?? ''));
    expect(
      rows.map(r => within(r).getByText(/^[a-d]-[a-z]+$/).textContent),
    ).toEqual(['b-failed', 'd-suspended', 'a-ready', 'c-ready']);
  });

  it('says which failing objects Flux retries, with its count', async () => {
    server.use(
      http.get('http://backend/api/gitops/objects', () =>
        HttpResponse.json({
          clusters: [{ name: 'eu', state: 'ok', since: '' }],
          items: [
            {
              ...object('e-helm', 'eu', 'Failed'),
              kind: 'HelmRelease',
              retrying: { failures: 3, maxRetries: 5 },
            },
            { ...object('f-kustomize', 'eu', 'Failed'), retrying: {} },
            object('g-stalled', 'eu', 'Failed'),
          ],
        }),
      ),
    );
    await renderPage('/');
    const row = async (name: string) =>
      (await screen.findByText(name)).closest('tr')!;
    expect(await row('e-helm')).toHaveTextContent('Failedretrying (3 of 5)');
    expect(await row('f-kustomize')).toHaveTextContent('Failedretrying');
    expect(await row('g-stalled')).not.toHaveTextContent('retrying');
  });

  it('keeps its filters in the URL', async () => {
    await renderPage('/?cluster=eu');
    await screen.findByTestId('count-state-Ready');
    expect(screen.getByText('Flux objects (2 of 4)')).toBeInTheDocument();
    expect(screen.queryByText('b-failed')).not.toBeInTheDocument();

    await userEvent.click(screen.getByTestId('count-state-Suspended'));
    expect(screen.getByTestId('query')).toHaveTextContent(
      '?cluster=eu&state=Suspended',
    );
    expect(screen.getByText('Flux objects (1 of 4)')).toBeInTheDocument();
    expect(screen.getByTestId('count-state-Suspended')).toHaveAttribute(
      'aria-pressed',
      'true',
    );

    await userEvent.click(
      screen.getByRole('button', { name: 'Clear filters' }),
    );
    expect(screen.getByTestId('query')).toHaveTextContent(/^$/);
    expect(screen.getByText('Flux objects (4 of 4)')).toBeInTheDocument();
  });

  it('narrows the dependency graph to the chains of the objects the filters pick', async () => {
    const chained = (name: string, state: string, after?: string) => ({
      ...object(name, 'eu', state),
      namespace: 'apps',
      dependsOn: after
        ? [{ namespace: 'apps', name: after, state: 'Ready' }]
        : [],
    });
    server.use(
      http.get('http://backend/api/gitops/objects', () =>
        HttpResponse.json({
          clusters: [{ name: 'eu', state: 'ok', since: '' }],
          items: [
            chained('shop-dev', 'Ready'),
            chained('shop-staging', 'Ready', 'shop-dev'),
            chained('shop-prod', 'Failed', 'shop-staging'),
            chained('web-dev', 'Ready'),
            chained('web-prod', 'Ready', 'web-dev'),
          ],
        }),
      ),
    );
    const node = (name: string) =>
      screen.queryByTestId(`dependency-node-Kustomization-apps-${name}`);
    await renderPage('/dependencies?state=Failed');
    expect(await screen.findByTestId('dependency-graph')).toBeInTheDocument();
    // The failed object's chain, whole; not the other one.
    for (const name of ['shop-dev', 'shop-staging', 'shop-prod']) {
      expect(node(name)).toBeInTheDocument();
    }
    expect(node('web-prod')).not.toBeInTheDocument();

    await userEvent.click(
      screen.getByRole('button', { name: 'Clear filters' }),
    );
    expect(node('web-prod')).toBeInTheDocument();

    await userEvent.type(
      screen.getByRole('textbox', { name: 'Search Flux objects' }),
      'nothing-like-it',
    );
    expect(screen.getByTestId('dependency-graph-empty')).toHaveTextContent(
      'No object that matches the filters waits or is waited for.',
    );
  });
});
