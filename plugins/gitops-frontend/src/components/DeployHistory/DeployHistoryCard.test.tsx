import { discoveryApiRef, fetchApiRef } from '@backstage/core-plugin-api';
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
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { gitopsApiRef, GitOpsClient } from '../../api';
import { DeployHistoryCard } from './DeployHistoryCard';

const server = setupServer();
// Dialog, preview and progress in one test: slow on a shared 2-core machine.
jest.setTimeout(30_000);
const base =
  'http://backend/api/gitops/entities/component/default/shop/deploys';

const row = (id: number, method: string, extra: object = {}) => ({
  id,
  environment: 'development',
  cluster: 'local',
  namespace: 'apps',
  kustomization: 'shop-development',
  method,
  status: 'succeeded',
  commitSha: `${id}`.repeat(40).slice(0, 40),
  commitMessage: `change ${id}`,
  commitUrl: `http://git/commit/${id}`,
  triggeredBy: 'user:default/jane',
  createdAt: '2026-11-23T00:00:00Z',
  finishedAt: '2026-11-23T00:01:05Z',
  ...extra,
});

async function renderCard(
  deployable?: string[],
  permissionApi: PermissionApi = mockApis.permission(),
  name = 'shop',
) {
  const discoveryApi = { getBaseUrl: async () => 'http://backend/api/gitops' };
  const fetchApi = new MockFetchApi();
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [discoveryApiRef, discoveryApi],
        [fetchApiRef, fetchApi],
        [gitopsApiRef, new GitOpsClient({ discoveryApi, fetchApi })],
        [permissionApiRef, permissionApi],
      ]}
    >
      <DeployHistoryCard
        entityRef={{ kind: 'component', namespace: 'default', name }}
        environments={['development', 'production']}
        deployable={deployable}
      />
    </TestApiProvider>,
  );
}

describe('DeployHistoryCard', () => {
  registerMswTestHooks(server);

  it('shows each deploy with its method and filters by method', async () => {
    const queries: string[] = [];
    server.use(
      http.get(base, ({ request }) => {
        const url = new URL(request.url);
        queries.push(url.search);
        const method = url.searchParams.get('method');
        const items = [
          row(4, 'manual', {
            commitSha: undefined,
            details: { image: 'nginx:1.29' },
          }),
          row(3, 'pipeline', { triggeredBy: 'pipeline:release' }),
          row(2, 'gitops-git', {
            status: 'failed',
            reason: 'BuildFailed',
            message: 'bad yaml',
          }),
          row(1, 'gitops-ui'),
        ].filter(d => !method || d.method === method);
        return HttpResponse.json({ items });
      }),
    );
    await renderCard();
    for (const method of ['gitops-ui', 'gitops-git', 'pipeline', 'manual']) {
      expect(await screen.findByTestId(`method-${method}`)).toBeInTheDocument();
    }
    expect(screen.getByText('BuildFailed: bad yaml')).toBeInTheDocument();
    expect(screen.getAllByText('took 1m 5s')).toHaveLength(4);
    expect(screen.getByText('nginx:1.29')).toBeInTheDocument();

    fireEvent.change(screen.getByTestId('filter-method'), {
      target: { value: 'pipeline' },
    });
    await waitFor(() => expect(queries).toContain('?method=pipeline'));
    await waitFor(() =>
      expect(screen.queryByTestId('method-gitops-ui')).not.toBeInTheDocument(),
    );
  });

  it('checks the form, previews the diff, deploys and follows the deploy', async () => {
    let deployed: any;
    server.use(
      http.get(base, () => HttpResponse.json({ items: [] })),
      http.post(`${base}/preview`, () =>
        HttpResponse.json({
          environment: 'development',
          repoUrl: 'http://git/shop.git',
          branch: 'main',
          baseCommit: 'a'.repeat(40),
          overlayPath: 'k8s/overlays/development',
          overlayDigest: 'digest-1',
          files: [
            {
              path: 'k8s/overlays/development/gitops-deploy-patch.yaml',
              after: 'image: nginx:1.28\n',
            },
          ],
          diff: '+          image: nginx:1.28\n',
          target: { deployment: 'shop', container: 'app' },
          empty: false,
        }),
      ),
      http.post(base, async ({ request }) => {
        deployed = await request.json();
        return HttpResponse.json(
          {
            deploy: row(9, 'gitops-ui', {
              status: 'pending',
              finishedAt: undefined,
            }),
            pushAttempts: 1,
          },
          { status: 201 },
        );
      }),
      http.get(`${base}/9`, () => HttpResponse.json(row(9, 'gitops-ui'))),
    );
    await renderCard();
    fireEvent.click(await screen.findByRole('button', { name: 'Deploy' }));
    const image = screen.getByLabelText('Image');
    fireEvent.change(image, { target: { value: 'Nginx::bad' } });
    expect(
      await screen.findByText(/not a valid image reference/),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Preview' })).toBeDisabled();

    fireEvent.change(image, { target: { value: 'nginx:1.28' } });
    fireEvent.click(screen.getByRole('button', { name: 'Preview' }));
    expect(await screen.findByTestId('deploy-diff')).toHaveTextContent(
      'image: nginx:1.28',
    );
    fireEvent.click(screen.getByRole('button', { name: 'Deploy' }));
    expect(
      await screen.findByText('succeeded', {}, { timeout: 5000 }),
    ).toBeInTheDocument();
    expect(deployed).toEqual({
      environment: 'development',
      changes: { image: 'nginx:1.28' },
      message: 'Deploy nginx:1.28 to development',
      expectedOverlayDigest: 'digest-1',
    });
  });

  it("shows the backend's reason when it refuses a deploy, not only the status", async () => {
    const reason =
      "environment: 'development' of component:default/shop is not deployed by a Flux Kustomization; portal deploys change Kustomize overlays";
    server.use(
      http.get(base, () => HttpResponse.json({ items: [] })),
      http.post(`${base}/preview`, () =>
        HttpResponse.json(
          {
            error: { name: 'InputError', message: reason },
            request: { method: 'POST', url: '/preview' },
            response: { statusCode: 400 },
          },
          { status: 400 },
        ),
      ),
    );
    await renderCard();
    fireEvent.click(await screen.findByRole('button', { name: 'Deploy' }));
    fireEvent.change(screen.getByLabelText('Image'), {
      target: { value: 'nginx:1.28' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Preview' }));
    fireEvent.click(await screen.findByText(/The deploy did not go through/));
    expect(await screen.findByText(reason)).toBeInTheDocument();
    expect(screen.queryByTestId('deploy-diff')).not.toBeInTheDocument();
  });

  it('offers a deploy only to environments one Kustomization deploys, and says why not', async () => {
    server.use(http.get(base, () => HttpResponse.json({ items: [] })));
    await renderCard([]);
    const deploy = await screen.findByRole('button', { name: 'Deploy' });
    expect(deploy).toBeDisabled();
    expect(deploy).toHaveAccessibleDescription(
      /Portal deploys change Kustomize overlays; no environment here is deployed by one Flux Kustomization/,
    );
  });

  it('shows the environments a deploy cannot change disabled in the dialog, with the reason', async () => {
    server.use(http.get(base, () => HttpResponse.json({ items: [] })));
    await renderCard(['production']);
    const deploy = await screen.findByRole('button', { name: 'Deploy' });
    expect(deploy).toBeEnabled();
    expect(screen.queryByTestId('deploy-unavailable')).not.toBeInTheDocument();
    fireEvent.click(deploy);
    const dialog = await screen.findByRole('dialog');
    // The deployable one is chosen, not the first.
    const select = within(dialog).getByRole('button', { name: /Environment/ });
    expect(select).toHaveTextContent('production');
    fireEvent.mouseDown(select);
    const options = await screen.findAllByRole('option');
    expect(
      options.map(o => [
        o.textContent,
        o.getAttribute('aria-disabled') === 'true',
      ]),
    ).toEqual([
      [
        'development: not deployed by one Flux Kustomization (a HelmRelease changes through its values in Git)',
        true,
      ],
      ['production', false],
    ]);
  });

  it('shows what a deploy changed, against the deploy before it or a chosen row', async () => {
    const asked: string[] = [];
    server.use(
      http.get(base, () =>
        HttpResponse.json({
          items: [
            row(3, 'gitops-ui'),
            row(2, 'manual', { commitSha: undefined }),
            row(1, 'gitops-git'),
          ],
        }),
      ),
      http.get(`${base}/:id/changes`, ({ request, params }) => {
        const since = new URL(request.url).searchParams.get('since');
        asked.push(`${params.id}?${since ?? ''}`);
        return HttpResponse.json({
          environment: 'development',
          deployId: Number(params.id),
          sinceDeployId: 1,
          fromCommit: '1'.repeat(40),
          toCommit: '3'.repeat(40),
          repoUrl: 'http://git/shop.git',
          paths: ['k8s/overlays/development', 'k8s/base'],
          commits: [
            {
              sha: 'c'.repeat(40),
              author: 'Jane',
              date: '2026-11-23T00:00:00Z',
              subject: since ? 'the chosen range' : 'scale to two',
            },
          ],
          commitsBetween: 3,
          files: [{ path: 'k8s/base/app.yaml', status: 'modified' }],
          diff: '--- a/k8s/base/app.yaml\n+++ b/k8s/base/app.yaml\n-replicas: 1\n+replicas: 2\n',
          truncated: false,
        });
      }),
    );
    await renderCard();
    // A manual deploy made no commit: nothing to compare.
    expect(
      await screen.findByRole('button', { name: 'What deploy 3 changed' }),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'What deploy 2 changed' }),
    ).not.toBeInTheDocument();
    fireEvent.click(
      screen.getByRole('button', { name: 'What deploy 3 changed' }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(
      within(dialog).getByText(
        /What deploy #3 \(3333333\) to development changed/,
      ),
    ).toBeInTheDocument();
    expect(await within(dialog).findByText('scale to two')).toBeInTheDocument();
    expect(within(dialog).getByText(/and 2 elsewhere/)).toBeInTheDocument();
    expect(within(dialog).getByTestId('deploy-change-diff')).toHaveTextContent(
      '+replicas: 2',
    );
    expect(within(dialog).getByText(/against deploy #1/)).toBeInTheDocument();

    fireEvent.change(within(dialog).getByTestId('deploy-change-since'), {
      target: { value: '1' },
    });
    expect(
      await within(dialog).findByText('the chosen range'),
    ).toBeInTheDocument();
    expect(asked).toEqual(['3?', '3?1']);
  });

  it('offers what a deploy changed only to those who may deploy', async () => {
    server.use(
      http.get(base.replace('/shop/', '/reader-only/'), () =>
        HttpResponse.json({ items: [row(3, 'gitops-ui')] }),
      ),
    );
    await renderCard(
      undefined,
      mockApis.permission({ authorize: AuthorizeResult.DENY }),
      'reader-only',
    );
    expect(
      await screen.findByRole('button', { name: 'Roll back to 3333333' }),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'What deploy 3 changed' }),
    ).not.toBeInTheDocument();
  });
});
