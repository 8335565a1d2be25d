/**
 * The failure corpus: provokes every namespaced scenario of ./scenarios on
 * the real stack, in parallel, and checks that the classifier names each as
 * a person would. The scenarios that stop a Flux controller run alone, in
 * the cluster lane: corpusControllersStopped.e2e.test.ts.
 *
 * With CAPTURE_FIXTURES=1 both files also (re)write the corpus that the
 * unit test plugins/gitops-common/src/diagnostics/corpus.test.ts reads:
 *   cd packages/e2e-tests && CAPTURE_FIXTURES=1 \
 *     yarn backstage-cli package test --runInBand --testMatch '**\/corpus*.e2e.test.ts'
 * with scripts/start running.
 */
import { captureFixture } from '../stack/capture';
import { TestGitServer } from '../stack/gitea';
import { applyFluxPair, KUSTOMIZE_API, SOURCE_API } from '../stack/fluxPair';
import { FluxObject, waitFor } from '../stack/kube';
import {
  captures,
  cluster,
  env,
  openCorpus,
  settle,
  STATUS_DIR,
  verdictOf,
} from './corpusRun';
import { CorpusContext, scenarios } from './scenarios';

jest.setTimeout(30 * 60_000);

const git = new TestGitServer(env);

describe('the failure corpus on the real stack', () => {
  const ctx = {} as CorpusContext;

  beforeAll(async () => {
    Object.assign(ctx, await openCorpus());
  });

  afterAll(async () => {
    if (ctx.namespace) {
      await cluster.deleteNamespace(ctx.namespace);
    }
  });

  it('provokes every namespaced failure; the classifier names each as a person would', async () => {
    const { captured, errors, attempt } = captures();

    await Promise.all(
      scenarios
        .filter(s => !s.clusterWide)
        .map(s =>
          attempt(s.name, async () => {
            await s.provoke(ctx);
            captured.push(await settle(ctx, s));
          }),
        ),
    );

    const rows = verdictOf(captured, errors);
    expect(errors).toEqual([]);
    expect(rows.filter(r => !r.ok)).toEqual([]);
    expect(rows.length).toBeGreaterThanOrEqual(36);
  });
  it('captures the objects the status mapping of gitops-common is tested on', async () => {
    const ready = (o: FluxObject) =>
      o.status?.conditions?.find(c => c.type === 'Ready');
    const statusScenarios: Record<
      string,
      { options: Record<string, any>; until: (o: FluxObject) => boolean }
    > = {
      ready: { options: {}, until: o => ready(o)?.status === 'True' },
      'bad-path': {
        options: { path: './missing' },
        until: o => /path not found/.test(ready(o)?.message ?? ''),
      },
      'wrong-password': {
        options: { password: 'not-the-password' },
        until: o => ready(o)?.status === 'False',
      },
      'health-check': {
        options: {
          kustomization: {
            timeout: '5s',
            healthChecks: [
              {
                apiVersion: 'apps/v1',
                kind: 'Deployment',
                name: 'ghost',
                namespace: ctx.namespace,
              },
            ],
          },
        },
        until: o => ready(o)?.reason === 'HealthCheckFailed',
      },
      dependency: {
        options: { kustomization: { dependsOn: [{ name: 'does-not-exist' }] } },
        until: o => ready(o)?.reason === 'DependencyNotReady',
      },
      suspended: {
        options: { kustomization: { suspend: true } },
        until: () => true,
      },
    };
    await Promise.all(
      Object.entries(statusScenarios).map(
        async ([name, { options, until }]) => {
          await applyFluxPair(cluster, git, {
            namespace: ctx.namespace,
            name,
            repo: ctx.repo,
            labels: {
              'backstage.io/kubernetes-id': 'e2e-status-corpus',
              'gitops.backstage.io/environment': name,
            },
            ...options,
            kustomization: { timeout: '1m', ...options.kustomization },
          });
          const object = await waitFor(
            `status scenario ${name}`,
            async () => {
              const o = await cluster.read<FluxObject>(
                KUSTOMIZE_API,
                'Kustomization',
                ctx.namespace,
                name,
              );
              return until(o) ? o : undefined;
            },
            120_000,
          );
          expect(object.metadata?.name).toBe(name);
          // The Kustomization can fail ("Source is not ready") before its
          // GitRepository has said why: wait for the source's own verdict.
          const source = await waitFor(
            `the GitRepository of status scenario ${name}`,
            async () => {
              const o = await cluster.read<FluxObject>(
                SOURCE_API,
                'GitRepository',
                ctx.namespace,
                name,
              );
              const verdict = ready(o)?.status;
              return verdict === 'True' || verdict === 'False' ? o : undefined;
            },
            120_000,
          );
          captureFixture(STATUS_DIR, name, object);
          captureFixture(STATUS_DIR, `${name}-source`, source);
        },
      ),
    );
  });
});
