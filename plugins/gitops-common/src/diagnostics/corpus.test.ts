import fs from 'node:fs';
import path from 'node:path';
import { FluxResource } from '../status';
import { diagnoseFluxFailure } from './classifyFluxFailure';
import { GITOPS_ERROR_CODES } from './errorCodes';
import { FailureFacts } from './references';

/**
 * Failures captured on the local stack by
 * packages/e2e-tests/src/corpus/corpus.e2e.test.ts (CAPTURE_FIXTURES=1):
 * each holds the object as the controllers left it, the facts about what
 * it refers to, and the code and reference a person gives it.
 */
interface CorpusEntry {
  name: string;
  description: string;
  expected: { code: string; reference?: string };
  versions: Record<string, string>;
  object: FluxResource;
  facts: FailureFacts;
}

const dir = path.join(__dirname, '__fixtures__', 'corpus');
const corpus: CorpusEntry[] = fs
  .readdirSync(dir)
  .filter(file => file.endsWith('.json'))
  .sort()
  .map(file => JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')));

/** The versions the stack pins, which the corpus must have been captured with. */
function pinnedVersions(): Record<string, string> {
  const file = path.resolve(__dirname, '../../../../stack/versions.env');
  const versions: Record<string, string> = {};
  for (const match of fs
    .readFileSync(file, 'utf8')
    .matchAll(/^((?:FLUX|[A-Z]+_CONTROLLER)_VERSION)=(\S+)$/gm)) {
    versions[match[1]] = match[2];
  }
  return versions;
}

function verdictOf(entry: CorpusEntry) {
  const diagnosis = diagnoseFluxFailure(entry.object, entry.facts);
  const reference = diagnosis.reference
    ? `${diagnosis.reference.kind}/${diagnosis.reference.name}`
    : undefined;
  return { diagnosis, reference };
}

describe('the failure corpus', () => {
  it('holds at least 40 captured failures across every Flux kind', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(40);
    expect(new Set(corpus.map(e => e.object.kind))).toEqual(
      new Set([
        'Kustomization',
        'HelmRelease',
        'GitRepository',
        'OCIRepository',
        'HelmRepository',
        'HelmChart',
        'Bucket',
      ]),
    );
  });

  it('was captured with the Flux versions the stack pins (recapture when they change)', () => {
    const pinned = pinnedVersions();
    expect(Object.keys(pinned)).toContain('FLUX_VERSION');
    const drifted = corpus
      .filter(e => JSON.stringify(e.versions) !== JSON.stringify(pinned))
      .map(e => `${e.name}: ${JSON.stringify(e.versions)}`);
    expect(drifted).toEqual([]);
  });

  it('expects only known codes', () => {
    for (const entry of corpus) {
      expect(GITOPS_ERROR_CODES).toContain(entry.expected.code);
    }
  });

  it('is classified 100% right: code and named reference', () => {
    const rows = corpus.map(entry => {
      const { diagnosis, reference } = verdictOf(entry);
      const ok =
        diagnosis.code === entry.expected.code &&
        reference === entry.expected.reference;
      return { entry, diagnosis, reference, ok };
    });
    const right = rows.filter(r => r.ok).length;
    // eslint-disable-next-line no-console
    console.log(
      `corpus accuracy: ${right}/${rows.length} = ${(
        (100 * right) /
        rows.length
      ).toFixed(1)}%\n${rows
        .map(
          r =>
            `${r.ok ? 'ok  ' : 'MISS'} ${r.entry.name}: ${r.diagnosis.code} ${
              r.reference ?? '-'
            } (${r.diagnosis.basis})${
              r.ok
                ? ''
                : ` — expected ${r.entry.expected.code} ${
                    r.entry.expected.reference ?? '-'
                  }`
            }`,
        )
        .join('\n')}`,
    );
    expect(
      rows
        .filter(r => !r.ok)
        .map(r => ({
          name: r.entry.name,
          expected: r.entry.expected,
          got: { code: r.diagnosis.code, reference: r.reference },
          message: r.diagnosis.details[0],
        })),
    ).toEqual([]);
  });

  it('names the broken reference in the cause of every structural finding', () => {
    const objectReferences = corpus
      .map(entry => verdictOf(entry).diagnosis)
      .filter(d => d.reference && /^[A-Z]/.test(d.reference.kind));
    expect(objectReferences.length).toBeGreaterThan(20);
    for (const diagnosis of objectReferences) {
      expect(diagnosis.cause + diagnosis.fix).toContain(
        diagnosis.reference!.name,
      );
    }
  });

  it('names the source a chart waits for while the source is still on its first fetch', () => {
    // Captured with the repository already failing; seen on the stack too
    // while it was still fetching (Ready Unknown), when the chart fails first.
    const entry = corpus.find(e => e.name === 'helmchart-failing-repository')!;
    const fetching: FailureFacts = {
      ...entry.facts,
      references: entry.facts.references!.map(r => ({
        ...r,
        ready: { status: 'Unknown', reason: 'Progressing', message: '' },
      })),
    };
    const { diagnosis, reference } = verdictOf({ ...entry, facts: fetching });
    expect([diagnosis.code, reference]).toEqual([
      'DEPENDENCY_NOT_READY',
      'HelmRepository/helmrepo-connection-refused',
    ]);
  });
});
