import { discoveryApiRef, fetchApiRef } from '@backstage/core-plugin-api';
import {
  MockFetchApi,
  registerMswTestHooks,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { gitopsApiRef, GitOpsClient } from '../../api';
import { HealthPage } from './HealthPage';

// The repair flow clicks through several dialogs: seconds in jsdom, more on a busy machine.
jest.setTimeout(30_000);

// One configured cluster unless a test says otherwise.
const server = setupServer(
  http.get('http://backend/api/gitops/clusters', () =>
    HttpResponse.json({
      items: [{ name: 'local', state: 'ok', since: '2026-11-22T00:00:00Z' }],
    }),
  ),
);

const report = {
  id: 'r1',
  cluster: 'local',
  trigger: 'schedule',
  startedAt: '2026-11-22T00:00:00Z',
  finishedAt: '2026-11-22T00:00:01Z',
  status: 'failed',
  syncSummary: { Ready: 3 },
  checks: [
    {
      id: 'api',
      title: 'Kubernetes API',
      status: 'passed',
      summary: 'reachable, Kubernetes v1.36.3',
      durationMs: 3,
    },
    {
      id: 'flux',
      title: 'Flux installation',
      status: 'failed',
      summary: 'controller down',
      durationMs: 9,
    },
  ],
  findings: [
    {
      code: 'CONTROLLER_UNHEALTHY',
      severity: 'critical',
      check: 'flux',
      cluster: 'local',
      object: {
        kind: 'Deployment',
        namespace: 'flux-system',
        name: 'helm-controller',
      },
      evidence:
        'Deployment flux-system/helm-controller: Available=False, ready 0/1',
      cause: 'helm-controller is not running.',
      fix: [
        'kubectl -n flux-system rollout restart deployment helm-controller',
      ],
      repair: {
        type: 'restart-controller',
        title: 'Restart helm-controller (rollout restart)',
        target: {
          kind: 'Deployment',
          namespace: 'flux-system',
          name: 'helm-controller',
        },
      },
    },
    {
      code: 'STALE_SYNC',
      severity: 'warning',
      check: 'staleness',
      cluster: 'local',
      evidence: 'old',
      cause: 'stale',
      fix: [],
    },
  ],
};

async function renderPage(path = '/') {
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
      <HealthPage />
    </TestApiProvider>,
    { routeEntries: [path] },
  );
}

describe('HealthPage', () => {
  registerMswTestHooks(server);

  it('shows checks and findings by severity, and repairs after showing the plan', async () => {
    let applied: unknown;
    server.use(
      http.get('http://backend/api/gitops/health', () =>
        HttpResponse.json({ items: [report] }),
      ),
      http.post(
        'http://backend/api/gitops/health/repairs/plan',
        async ({ request }) =>
          HttpResponse.json({
            ...((await request.json()) as object),
            summary: 'Restart helm-controller',
            steps: [
              {
                action: 'patch',
                object: report.findings[0].repair!.target,
                description: 'set restartedAt',
              },
            ],
            warnings: ['Reconciliation pauses briefly.'],
            digest: 'd'.repeat(64),
          }),
      ),
      http.post(
        'http://backend/api/gitops/health/repairs',
        async ({ request }) => {
          applied = await request.json();
          return HttpResponse.json({
            id: 'a1',
            outcome: 'applied',
            actor: 'user:default/guest',
          });
        },
      ),
    );
    await renderPage();
    expect(await screen.findByText('Cluster local')).toBeInTheDocument();
    expect(
      screen.getByText('reachable, Kubernetes v1.36.3'),
    ).toBeInTheDocument();
    expect(screen.getByText('critical (1)')).toBeInTheDocument();
    expect(screen.getByText('warning (1)')).toBeInTheDocument();

    fireEvent.click(screen.getByText('CONTROLLER_UNHEALTHY'));
    fireEvent.click(
      screen.getByRole('button', { name: /Repair: Restart helm-controller/ }),
    );
    expect(await screen.findByText('set restartedAt')).toBeInTheDocument();
    expect(
      screen.getByText('Reconciliation pauses briefly.'),
    ).toBeInTheDocument();
    expect(applied).toBeUndefined();
    fireEvent.click(screen.getByRole('button', { name: 'Apply repair' }));
    expect(
      await screen.findByText(/Applied by user:default\/guest/),
    ).toBeInTheDocument();
    // The digest of the plan shown, so the backend applies that plan.
    expect(applied).toEqual({
      cluster: 'local',
      type: 'restart-controller',
      target: report.findings[0].repair!.target,
      planDigest: 'd'.repeat(64),
    });
  });

  it('shows the report of a run started while the page was still loading', async () => {
    let releaseFirstLoad: () => void = () => {};
    const firstLoad = new Promise<void>(resolve => {
      releaseFirstLoad = resolve;
    });
    const fresh = {
      ...report,
      id: 'r2',
      trigger: 'manual',
      triggeredBy: 'user:default/fresh',
    };
    let runs = 0;
    server.use(
      http.get('http://backend/api/gitops/health', async () => {
        if (runs === 0) {
          await firstLoad;
          return HttpResponse.json({ items: [report] });
        }
        return HttpResponse.json({ items: [fresh] });
      }),
      http.post('http://backend/api/gitops/health/run', () => {
        runs++;
        return HttpResponse.json({ items: [fresh] });
      }),
    );
    await renderPage();
    fireEvent.click(screen.getByRole('button', { name: 'Run health check' }));
    await waitFor(() => expect(runs).toBe(1));
    releaseFirstLoad();
    expect(
      await screen.findByText(/manual by user:default\/fresh/),
    ).toBeInTheDocument();
  });

  it('lists a configured cluster no check has reported on, with why it cannot be read', async () => {
    server.use(
      http.get('http://backend/api/gitops/health', () =>
        HttpResponse.json({ items: [report] }),
      ),
      http.get('http://backend/api/gitops/clusters', () =>
        HttpResponse.json({
          items: [
            { name: 'local', state: 'ok', since: '' },
            {
              name: 'second',
              state: 'unreachable',
              error: 'connect ECONNREFUSED 127.0.0.1:17443',
              since: '',
            },
          ],
        }),
      ),
    );
    await renderPage();
    expect(await screen.findByText('Cluster second')).toBeInTheDocument();
    expect(screen.getByText('not checked yet')).toBeInTheDocument();
    expect(
      screen.getByText(
        'The portal cannot read this cluster: connect ECONNREFUSED 127.0.0.1:17443',
      ),
    ).toBeInTheDocument();
    // The checked cluster has its report, not a second card.
    expect(screen.getAllByText(/^Cluster local$/)).toHaveLength(1);
  });

  it('narrows to one error code from the link', async () => {
    server.use(
      http.get('http://backend/api/gitops/health', () =>
        HttpResponse.json({ items: [report] }),
      ),
    );
    await renderPage('/?code=STALE_SYNC');
    expect(
      await screen.findByText('Findings with code STALE_SYNC (1)'),
    ).toBeInTheDocument();
    expect(screen.queryByText('CONTROLLER_UNHEALTHY')).not.toBeInTheDocument();
  });
});
