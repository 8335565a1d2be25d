import fs from 'node:fs';
import path from 'node:path';
import {
  diagnoseFluxFailure,
  FailureFacts,
  FluxResource,
} from '@gitops-backstage/plugin-gitops-common';
import { TestGitServer } from '../stack/gitea';
import { SOURCE_API } from '../stack/fluxPair';
import { FluxObject, TestCluster, waitFor } from '../stack/kube';
import { readStackEnv, repoPath } from '../stack/stackEnv';
import { gatherFacts, pinnedVersions, withoutBookkeeping } from './facts';
import { corpusRepository } from './repository';
import { apiVersionOf, CorpusContext, Scenario } from './scenarios';

// What both corpus files share: their namespace and repository, how a
// provoked failure settles, the fixtures it is written to, and the verdict.

export const env = readStackEnv();
export const cluster = new TestCluster(env);
const git = new TestGitServer(env);
const CORPUS_DIR = 'plugins/gitops-common/src/diagnostics/__fixtures__/corpus';
export const STATUS_DIR = 'plugins/gitops-common/src/status/__fixtures__';
export const FLUX_CONTROLLERS = [
  'source-controller',
  'kustomize-controller',
  'helm-controller',
];

export interface Captured {
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

export async function settle(
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

export function writeFixture({ scenario, object, facts }: Captured) {
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

export async function controllersAvailable(): Promise<string[]> {
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

/** Captures and the errors of the scenarios that could not be captured. */
export function captures() {
  const captured: Captured[] = [];
  const errors: string[] = [];
  const attempt = async (what: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      errors.push(`${what}: ${error}`);
    }
  };
  return { captured, errors, attempt };
}

/** A namespace and a corpus repository of its own, with a Ready GitRepository. */
export async function openCorpus(): Promise<CorpusContext> {
  const ctx = {} as CorpusContext;
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
  await cluster.waitForReady(
    SOURCE_API,
    'GitRepository',
    ctx.namespace,
    ctx.source,
  );
  return ctx;
}

/**
 * Classifies what was captured, prints each verdict and what could not be
 * captured, and writes the fixtures with CAPTURE_FIXTURES=1.
 */
export function verdictOf(captured: Captured[], errors: string[]) {
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
  return rows;
}
