import { classifyFluxFailure } from '../diagnostics';
import {
  fluxObjectStatus,
  shortRevision,
  sourceRefOf,
  syncState,
  worstState,
} from './fluxState';
import { FluxResource } from './types';

// Captured from kustomize-controller v1.9.3 and source-controller v1.9.3 by
// packages/e2e-tests/src/corpus/corpus.e2e.test.ts (CAPTURE_FIXTURES=1),
// the one script that also captures the failure corpus.
const fixture = (name: string): FluxResource =>
  require(`./__fixtures__/${name}.json`);

describe('syncState on objects from the real controllers', () => {
  it.each([
    ['ready', 'Ready'],
    ['ready-source', 'Ready'],
    // Ready=False while Flux retries (Reconciling=True/ProgressingWithRetry).
    ['bad-path', 'Failed'],
    ['health-check', 'Failed'],
    ['wrong-password-source', 'Failed'],
    ['wrong-password', 'Failed'],
    ['dependency', 'Failed'],
    ['suspended', 'Suspended'],
  ])('%s is %s', (name, state) => {
    expect(syncState(fixture(name))).toBe(state);
  });

  it('classifies the captured failures', () => {
    const code = (name: string) => {
      const ready = fixture(name).status!.conditions!.find(
        c => c.type === 'Ready',
      )!;
      return classifyFluxFailure({
        kind: fixture(name).kind,
        reason: ready.reason,
        message: ready.message,
      }).code;
    };
    expect(code('bad-path')).toBe('RESOURCE_NOT_FOUND');
    expect(code('health-check')).toBe('HEALTH_CHECK_FAILED');
    expect(code('wrong-password-source')).toBe('GIT_AUTH_FAILED');
    expect(code('dependency')).toBe('DEPENDENCY_NOT_READY');
  });
});

describe('syncState edge cases', () => {
  const base: FluxResource = {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: 'app', namespace: 'ns', generation: 2 },
    status: { observedGeneration: 1 },
  };

  it('is Unknown before the first reconcile', () => {
    expect(syncState(base)).toBe('Unknown');
  });

  it('is Reconciling while a new generation is applied for the first time', () => {
    expect(
      syncState({
        ...base,
        status: {
          observedGeneration: 1,
          conditions: [
            { type: 'Ready', status: 'Unknown', reason: 'Progressing' },
            { type: 'Reconciling', status: 'True', reason: 'Progressing' },
          ],
        },
      }),
    ).toBe('Reconciling');
  });

  it('is Failed when Stalled even if Ready is unknown', () => {
    expect(
      syncState({
        ...base,
        status: {
          conditions: [
            { type: 'Ready', status: 'False', reason: 'InvalidCELExpression' },
            { type: 'Stalled', status: 'True', reason: 'InvalidCELExpression' },
          ],
        },
      }),
    ).toBe('Failed');
  });
});

describe('fluxObjectStatus', () => {
  it('normalizes a Kustomization with its source and workloads', () => {
    const status = fluxObjectStatus(
      'local',
      fixture('ready'),
      'gitops.backstage.io/environment',
    );
    expect(status).toMatchObject({
      cluster: 'local',
      kind: 'Kustomization',
      name: 'ready',
      environment: 'ready',
      state: 'Ready',
      ready: 'True',
      reason: 'ReconciliationSucceeded',
      suspended: false,
      source: { kind: 'GitRepository', name: 'ready' },
    });
    expect(status.shortRevision).toMatch(/^main@[0-9a-f]{7}$/);
    expect(status.workloads).toEqual([
      { kind: 'Deployment', namespace: status.namespace, name: 'ready-hello' },
    ]);
  });

  it('says "waiting to be reconciled" without a Ready condition, like flux get', () => {
    const status = fluxObjectStatus('local', fixture('suspended'), 'x');
    expect(status).toMatchObject({
      ready: 'Unknown',
      message: 'waiting to be reconciled',
      suspended: true,
    });
  });
});

describe('helpers', () => {
  it.each([
    ['main@sha1:0123456789abcdef0123456789abcdef01234567', 'main@0123456'],
    ['sha1:0123456789abcdef0123456789abcdef01234567', '0123456'],
    [`v1.0@sha256:${'a'.repeat(64)}`, 'v1.0@aaaaaaa'],
    ['main/0123456789abcdef0123456789abcdef01234567', 'main@0123456'],
    ['6.5.1', '6.5.1'],
  ])('shortRevision(%s) = %s', (revision, short) => {
    expect(shortRevision(revision)).toBe(short);
  });

  it('finds the source of a Kustomization and of a HelmRelease by chart template or chartRef', () => {
    const object = (kind: string, spec: FluxResource['spec']) =>
      ({
        apiVersion: 'v1',
        kind,
        metadata: { name: 'x', namespace: 'apps' },
        spec,
      } as FluxResource);
    expect(
      sourceRefOf(
        object('Kustomization', {
          sourceRef: { kind: 'GitRepository', name: 'repo' },
        }),
      ),
    ).toEqual({ kind: 'GitRepository', namespace: 'apps', name: 'repo' });
    expect(
      sourceRefOf(
        object('HelmRelease', {
          chart: {
            spec: {
              sourceRef: {
                kind: 'HelmRepository',
                name: 'charts',
                namespace: 'flux-system',
              },
            },
          },
        }),
      ),
    ).toEqual({
      kind: 'HelmRepository',
      namespace: 'flux-system',
      name: 'charts',
    });
    expect(
      sourceRefOf(
        object('HelmRelease', {
          chartRef: { kind: 'OCIRepository', name: 'podinfo' },
        }),
      ),
    ).toEqual({ kind: 'OCIRepository', namespace: 'apps', name: 'podinfo' });
    expect(sourceRefOf(object('GitRepository', {}))).toBeUndefined();
  });

  it('orders states worst first', () => {
    expect(worstState(['Ready', 'Suspended', 'Failed'])).toBe('Failed');
    expect(worstState(['Ready', 'Reconciling'])).toBe('Reconciling');
    expect(worstState([])).toBe('Unknown');
  });
});
