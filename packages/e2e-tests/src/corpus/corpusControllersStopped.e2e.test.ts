/**
 * The failure corpus's cluster-wide scenarios: each stops a Flux controller,
 * so they run one at a time, in the cluster lane, each restored before the
 * next. The namespaced scenarios are in corpus.e2e.test.ts.
 */
import {
  captures,
  cluster,
  controllersAvailable,
  FLUX_CONTROLLERS,
  openCorpus,
  settle,
  verdictOf,
} from './corpusRun';
import { artifactAfterRecovery, CorpusContext, scenarios } from './scenarios';
import { controlComponent } from './stackControl';

jest.setTimeout(30 * 60_000);

describe('the failure corpus: stopped controllers', () => {
  const ctx = {} as CorpusContext;

  beforeAll(async () => {
    Object.assign(ctx, await openCorpus());
  });

  afterAll(async () => {
    // Whatever happened, every controller runs again.
    for (const controller of FLUX_CONTROLLERS) {
      await controlComponent('start', controller).catch(() => undefined);
    }
    if (ctx.namespace) {
      await cluster.deleteNamespace(ctx.namespace);
    }
  });

  it('provokes each with its controller stopped; the classifier names each as a person would', async () => {
    const { captured, errors, attempt } = captures();

    const before = await controllersAvailable();
    for (const s of scenarios.filter(x => x.clusterWide)) {
      await attempt(s.name, async () => {
        await s.prepare?.(ctx);
        const restore = await s.clusterWide!.breakCluster(ctx);
        try {
          await s.provoke(ctx);
          // Long enough for a running controller to have acted.
          await new Promise(resolve => setTimeout(resolve, 5000));
          captured.push(await settle(ctx, s));
        } finally {
          await restore();
        }
        expect(await controllersAvailable()).toEqual(before);
        if (s.name === 'ks-source-controller-stopped') {
          // The failure of the stopped controller, with today's facts.
          captured.push(await settle(ctx, artifactAfterRecovery, s.name));
        }
      });
    }

    const rows = verdictOf(captured, errors);
    expect(errors).toEqual([]);
    expect(rows.filter(r => !r.ok)).toEqual([]);
    expect(rows.length).toBeGreaterThanOrEqual(4);
  });
});
