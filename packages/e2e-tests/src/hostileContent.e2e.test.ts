import {
  catalogInfo,
  commitInHistory,
  registerComponent,
} from './portal/gitopsEntity';
import { callPortal } from './portal/portalApi';
import { appManifests } from './stack/fixtures';
import { applyFluxPair } from './stack/fluxPair';
import { TestGitServer } from './stack/gitea';
import { TestCluster } from './stack/kube';
import { readStackEnv } from './stack/stackEnv';

jest.setTimeout(300_000);

const env = readStackEnv();
const cluster = new TestCluster(env);
const git = new TestGitServer(env);

/** A request that does no work of its own: its delay is the event loop's. */
const PROBE = '/.backstage/health/v1/liveness';
const PROBE_EVERY_MS = 10;
const LAG_TRIES = 3;

interface Probe {
  stop(): Promise<number[]>;
}

/** Asks PROBE again and again until stopped; answers each round trip (ms). */
function probeLatency(): Probe {
  const latencies: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      const response = await callPortal(PROBE);
      await response.arrayBuffer();
      latencies.push(performance.now() - started);
      if (response.status !== 200) {
        throw new Error(`${PROBE} answered ${response.status}`);
      }
      await new Promise(resolve => setTimeout(resolve, PROBE_EVERY_MS));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return latencies;
    },
  };
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Overlay files a tenant controls, each shaped to make the portal work hard
 * on a request: too large to parse, too many, a patch of blank lines (a
 * backtracking regular expression once ran over those) and a patch whose
 * diff against the deploy's has a thousand changed lines.
 */
const HOSTILE_OVERLAYS: Array<{
  what: string;
  files: Record<string, string>;
  /** The 400's message names this; undefined where the preview answers. */
  refusal?: RegExp;
}> = [
  {
    what: 'a kustomization.yaml over the parse cap',
    files: {
      'deploy/kustomization.yaml': `${'# padding\n'.repeat(
        2000,
      )}apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- deployment.yaml\n`,
    },
    refusal: /deploy\/kustomization\.yaml is \d+ bytes/,
  },
  {
    what: 'a deploy patch of blank lines',
    files: { 'deploy/gitops-deploy-patch.yaml': `${'\n'.repeat(16_000)}` },
  },
  {
    what: 'a deploy patch whose diff changes a thousand lines',
    files: {
      'deploy/gitops-deploy-patch.yaml': Array.from(
        { length: 1500 },
        (_, i) => `# ${i.toString(36)}`,
      ).join('\n'),
    },
  },
  {
    what: 'a file over the read cap',
    files: { 'deploy/notes.txt': 'x'.repeat(300 * 1024) },
    refusal: /deploy\/notes\.txt is \d+ bytes/,
  },
  {
    what: 'more files than the overlay cap',
    files: Object.fromEntries(
      Array.from({ length: 120 }, (_, i) => [`deploy/extra/${i}.txt`, `${i}`]),
    ),
    refusal: /deploy has \d+ files/,
  },
];

describe('hostile overlay content on a preview', () => {
  // The repository's name is the entity's, as project initialization makes it.
  let id: string;
  let entityPath: string;
  let namespace: string;

  beforeAll(async () => {
    namespace = await cluster.createNamespace('e2e-hostile-overlay');
    id = await git.createRepo('e2e-hostile-overlay');
    entityPath = `/api/gitops/entities/component/default/${id}`;
    const first = await git.commit(
      id,
      { ...appManifests('nginx:1.27'), 'catalog-info.yaml': catalogInfo(id) },
      'the app',
    );
    await registerComponent(env, id, id);
    await applyFluxPair(cluster, git, {
      namespace,
      name: 'development',
      repo: id,
      entityRef: `component:default/${id}`,
      labels: {
        'backstage.io/kubernetes-id': id,
        'gitops.backstage.io/environment': 'development',
      },
      kustomization: { namePrefix: undefined },
    });
    await commitInHistory(entityPath, first);
  });

  afterAll(async () => {
    await cluster.deleteNamespace(namespace);
  });

  it('refuses or answers each one without holding up the event loop (lag under 100 ms)', async () => {
    // The probe's own cost on a quiet portal, measured in the same run.
    const quiet = probeLatency();
    await new Promise(resolve => setTimeout(resolve, 2000));
    const baseline = median(await quiet.stop());

    const outcomes: Array<{ what: string; status: number; message: string }> =
      [];
    const lags: Array<{ what: string; maxLagMs: number; tries: number[] }> = [];
    for (const overlay of HOSTILE_OVERLAYS) {
      await git.commit(id, overlay.files, `hostile: ${overlay.what}`);
      // Work the content causes recurs on every try; a pause of the
      // machine's (git, Gitea and the stack share its two cores) does not:
      // the lag the content causes is the least of the tries' worst.
      const tries: number[] = [];
      for (let attempt = 0; attempt < LAG_TRIES; attempt++) {
        const probe = probeLatency();
        const response = await callPortal(`${entityPath}/deploys/preview`, {
          method: 'POST',
          body: {
            environment: 'development',
            changes: { image: 'nginx:1.28' },
          },
        });
        const body = await response.json();
        const latencies = await probe.stop();
        tries.push(Math.round(Math.max(...latencies) - baseline));
        if (attempt === 0) {
          outcomes.push({
            what: overlay.what,
            status: response.status,
            message: body.error?.message ?? '',
          });
        }
      }
      lags.push({ what: overlay.what, maxLagMs: Math.min(...tries), tries });
      // Undo it, so each overlay is tried on its own.
      await git.commit(
        id,
        Object.fromEntries(
          Object.keys(overlay.files).map(file => [
            file,
            file === 'deploy/kustomization.yaml'
              ? appManifests('nginx:1.27')[file]
              : null,
          ]),
        ),
        `undo: ${overlay.what}`,
      );
    }

    // The figures, for the record of the run.
    console.info(
      `event loop lag by hostile overlay (probe baseline ${Math.round(
        baseline,
      )} ms): ${JSON.stringify(lags)}`,
    );
    expect(
      outcomes.map(({ what, status, message }) => {
        const expected = HOSTILE_OVERLAYS.find(o => o.what === what)!;
        return {
          what,
          status,
          named: expected.refusal ? expected.refusal.test(message) : true,
        };
      }),
    ).toEqual(
      HOSTILE_OVERLAYS.map(o => ({
        what: o.what,
        status: o.refusal ? 400 : 200,
        named: true,
      })),
    );
    expect({
      baselineMs: Math.round(baseline),
      over100ms: lags.filter(l => l.maxLagMs >= 100),
    }).toEqual({ baselineMs: Math.round(baseline), over100ms: [] });
  });
});
