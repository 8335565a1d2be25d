/**
 * The failure corpus: provokes every scenario of ./scenarios on the real
 * stack, in parallel (cluster-wide faults one at a time, each restored),
 * and checks that the classifier names each as a person would.
 *
 * With CAPTURE_FIXTURES=1 it also (re)writes the corpus that the unit test
 * plugins/gitops-common/src/diagnostics/corpus.test.ts reads:
 *   cd packages/e2e-tests && CAPTURE_FIXTURES=1 \
 *     yarn backstage-cli package test --runInBand --testMatch '**\/corpus.e2e.test.ts'
 * with scripts/start running.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  diagnoseFluxFailure,
  FailureFacts,
  FluxResource,
} from '@gitops-backstage/plugin-gitops-common';
import { captureFixture } from '../stack/capture';
import { TestGitServer } from '../stack/gitea';
import { applyFluxPair, KUSTOMIZE_API, SOURCE_API } from '../stack/fluxPair';
import { FluxObject, TestCluster, waitFor } from '../stack/kube';
import { readStackEnv, repoPath } from '../stack/stackEnv';
import { gatherFacts, pinnedVersions, withoutBookkeeping } from './facts';
import { corpusRepository } from './repository';
import {
  apiVersionOf,
  artifactAfterRecovery,
  CorpusContext,
  Scenario,
  scenarios,
} from './scenarios';
import { controlComponent } from './stackControl';

jest.setTimeout(30 * 60_000);

const env = readStackEnv();
const cluster = new TestCluster(env);
const git = new TestGitServer(env);
const CORPUS_DIR = 'plugins/gitops-common/src/diagnostics/__fixtures__/corpus';
const STATUS_DIR = 'plugins/gitops-common/src/status/__fixtures__';
const FLUX_CONTROLLERS = [
  'source-controller',
  'kustomize-controller',
  'helm-controller',
];

interface Captured {
  scenario: Omit<Scenario, 'provoke'>;
  object: FluxObject;
  facts: FailureFacts;
}

// Passing states a failure goes through before it settles.
const TRANSIENT =
  /latest generation of object has not been reconciled|reconciliation in progress/i;

const isSettled = (o: FluxObject) =>
  o.status?.conditions?.some(
    c =>
      (c.type === 'Ready' &&
        c.status === 'False' &&
        !TRANSIENT.test(c.message ?? '')) ||
      (c.type === 'Stalled' && c.status === 'True'),
  ) ?? false;

async function readObject(ctx: CorpusContext, kind: string, name: string) {
  return cluster.read<FluxObject>(
    apiVersionOf[kind],
    kind,
    ctx.namespace,
    name,
  );
}

async function settle(
  ctx: CorpusContext,
  scenario: Omit<Scenario, 'provoke'>,
  objectName = scenario.name,
): Promise<Captured> {
  const object = await waitFor(
    `${scenario.kind} ${objectName} to fail (${scenario.description})`,
    async () => {
      const o = await readObject(ctx, scenario.kind, objectName);
      return (scenario.settled ?? isSettled)(o) ? o : undefined;
    },
    240_000,
  );
  return {
    scenario,
    object,
    facts: await gatherFacts(cluster, env.FLUX_NAMESPACE, object),
  };
}

function writeFixture({ scenario, object, facts }: Captured) {
  const dir = repoPath(CORPUS_DIR);
  fs.mkdirSync(dir, { recursive: true });
  const fixture = {
    name: scenario.name,
    description: scenario.description,
    expected: scenario.expected,
    versions: pinnedVersions(),
    object: withoutBookkeeping(object),
    facts,
  };
  fs.writeFileSync(
    path.join(dir, `${scenario.name}.json`),
    `${JSON.stringify(fixture, null, 2)}\n`,
  );
}

async function controllersAvailable(): Promise<string[]> {
  const { items } = await cluster.apps.listNamespacedDeployment({
    namespace: env.FLUX_NAMESPACE,
  });
  return items
    .filter(d =>
      d.status?.conditions?.some(
        c => c.type === 'Available' && c.status === 'True',
      ),
    )
    .map(d => d.metadata!.name!)
    .sort();
}

describe('the failure corpus on the real stack', () => {
  const ctx = {} as CorpusContext;

  beforeAll(async () => {
    ctx.cluster = cluster;
    ctx.git = git;
    ctx.namespace = await cluster.createNamespace('e2e-corpus');
    ctx.repo = await git.createRepo('e2e-corpus');
    ctx.gitSecret = 'corpus-auth';
    ctx.source = 'corpus';
    await git.commit(ctx.repo, corpusRepository(), 'one directory per fault');
    await cluster.apply({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: ctx.gitSecret, namespace: ctx.namespace },
      stringData: git.basicAuth,
    } as any);
    await cluster.apply({
      apiVersion: SOURCE_API,
      kind: 'GitRepository',
      metadata: { name: ctx.source, namespace: ctx.namespace },
      spec: {
        url: git.repoUrl(ctx.repo),
        ref: { branch: 'main' },
        interval: '1h',
        secretRef: { name: ctx.gitSecret },
      },
    } as any);
    await waitFor('the corpus GitRepository Ready', async () => {
      const o = await readObject(ctx, 'GitRepository', ctx.source);
      return (
        o.status?.conditions?.some(
          c => c.type === 'Ready' && c.status === 'True',
        ) || undefined
      );
    });
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

  it('provokes every failure; the classifier names each as a person would', async () => {
    const captured: Captured[] = [];
    const errors: string[] = [];
    const attempt = async (what: string, work: () => Promise<void>) => {
      try {
        await work();
      } catch (error) {
        errors.push(`${what}: ${error}`);
      }
    };

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

    if (process.env.CAPTURE_FIXTURES) {
      captured.forEach(writeFixture);
    }

    const rows = captured.map(({ scenario, object, facts }) => {
      const diagnosis = diagnoseFluxFailure(
        object as unknown as FluxResource,
        facts,
      );
      const reference = diagnosis.reference
        ? `${diagnosis.reference.kind}/${diagnosis.reference.name}`
        : undefined;
      const ok =
        diagnosis.code === scenario.expected.code &&
        reference === scenario.expected.reference;
      return {
        name: scenario.name,
        expected: scenario.expected,
        code: diagnosis.code,
        reference,
        ok,
      };
    });
    const right = rows.filter(r => r.ok).length;
    // eslint-disable-next-line no-console
    console.log(
      `corpus on the live stack: ${right}/${rows.length} right\n${rows
        .map(
          r =>
            `${r.ok ? 'ok  ' : 'FAIL'} ${r.name}: expected ${r.expected.code} ${
              r.expected.reference ?? '-'
            }, got ${r.code} ${r.reference ?? '-'}`,
        )
        .join('\n')}${
        errors.length ? `\nnot captured:\n${errors.join('\n')}` : ''
      }`,
    );
    expect(errors).toEqual([]);
    expect(rows.filter(r => !r.ok)).toEqual([]);
    expect(rows.length).toBeGreaterThanOrEqual(40);
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
