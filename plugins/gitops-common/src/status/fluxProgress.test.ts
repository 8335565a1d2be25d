import { FluxCondition, FluxResource } from './types';
import { fluxProgress, isRevision } from './fluxProgress';

const SHA = 'a'.repeat(40);
const OLD = 'b'.repeat(40);

function object(
  kind: 'Kustomization' | 'HelmRelease',
  conditions: FluxCondition[],
  status: Partial<NonNullable<FluxResource['status']>> = {},
  generation = 2,
): FluxResource {
  return {
    apiVersion:
      kind === 'Kustomization'
        ? 'kustomize.toolkit.fluxcd.io/v1'
        : 'helm.toolkit.fluxcd.io/v2',
    kind,
    metadata: { name: 'app', namespace: 'apps', generation },
    status: { observedGeneration: 2, conditions, ...status },
  };
}

const readyFalse = (reason: string): FluxCondition => ({
  type: 'Ready',
  status: 'False',
  reason,
  message: `${reason} happened`,
});

// Every Ready=False reason of kustomize-controller (fluxcd/pkg/apis/meta,
// kustomize-controller/api v1) and helm-controller (api v2) at the
// stack's version, with what it means at the wanted revision.
const KUSTOMIZATION_REASONS: Array<[string, string]> = [
  ['ArtifactFailed', 'progressing'],
  ['BuildFailed', 'failed'],
  ['DependencyNotReady', 'waiting-for-dependency'],
  ['HealthCheckCanceled', 'progressing'],
  ['HealthCheckFailed', 'failed'],
  ['InvalidCELExpression', 'failed'],
  ['InvalidPath', 'failed'],
  ['AccessDenied', 'failed'],
  ['Progressing', 'progressing'],
  ['PruneFailed', 'failed'],
  ['ReconciliationFailed', 'failed'],
];
const HELM_RELEASE_REASONS: Array<[string, string]> = [
  ['ArtifactFailed', 'progressing'],
  ['DependencyNotReady', 'waiting-for-dependency'],
  ['InstallFailed', 'failed'],
  ['UpgradeFailed', 'failed'],
  ['TestFailed', 'failed'],
  ['RollbackFailed', 'failed'],
  ['UninstallFailed', 'failed'],
  ['InventoryBuildFailed', 'failed'],
  ['ReconciliationFailed', 'failed'],
  ['ValuesError', 'failed'],
  ['Progressing', 'progressing'],
  ['DriftDetected', 'progressing'],
];

describe('fluxProgress', () => {
  it.each(KUSTOMIZATION_REASONS)(
    'Kustomization Ready=False %s at the wanted revision is %s',
    (reason, state) => {
      const k = object('Kustomization', [readyFalse(reason)], {
        lastAttemptedRevision: `main@sha1:${SHA}`,
      });
      expect(fluxProgress(k, { revision: SHA }).state).toBe(state);
    },
  );

  it.each(KUSTOMIZATION_REASONS)(
    'Kustomization Ready=False %s at an older revision is waiting for the new one',
    reason => {
      const k = object('Kustomization', [readyFalse(reason)], {
        lastAttemptedRevision: `main@sha1:${OLD}`,
      });
      expect(fluxProgress(k, { revision: SHA }).state).toBe(
        reason === 'DependencyNotReady'
          ? 'waiting-for-dependency'
          : 'progressing',
      );
    },
  );

  it.each(HELM_RELEASE_REASONS)(
    'HelmRelease Ready=False %s is %s (its revision is a chart version)',
    (reason, state) => {
      const hr = object('HelmRelease', [readyFalse(reason)], {
        lastAttemptedRevision: '1.2.3',
      });
      expect(fluxProgress(hr, { revision: SHA }).state).toBe(state);
    },
  );

  it('is progressing on the first attempt at new work, failing while Flux retries it', () => {
    const first = object('Kustomization', [
      readyFalse('HealthCheckFailed'),
      {
        type: 'Reconciling',
        status: 'True',
        reason: 'Progressing',
        message: 'Fetching manifests',
      },
    ]);
    first.status!.lastAttemptedRevision = `main@sha1:${SHA}`;
    expect(fluxProgress(first, { revision: SHA }).state).toBe('progressing');

    const retrying = object('HelmRelease', [
      readyFalse('UpgradeFailed'),
      {
        type: 'Reconciling',
        status: 'True',
        reason: 'ProgressingWithRetry',
        message: 'retrying',
      },
    ]);
    expect(fluxProgress(retrying)).toMatchObject({
      state: 'failed',
      reason: 'UpgradeFailed',
      stalled: false,
    });
  });

  it("fails a new object's first build, though Flux never set its observedGeneration", () => {
    const created: FluxResource = {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'app', namespace: 'apps', generation: 1 },
      status: {
        observedGeneration: -1,
        lastAttemptedRevision: `main@sha1:${SHA}`,
        conditions: [
          readyFalse('BuildFailed'),
          {
            type: 'Reconciling',
            status: 'True',
            reason: 'ProgressingWithRetry',
            message: 'retrying',
          },
        ],
      },
    };
    expect(fluxProgress(created, { revision: SHA })).toMatchObject({
      state: 'failed',
      reason: 'BuildFailed',
    });
  });

  it('is applied when Ready at the revision, ready elsewhere at another one', () => {
    const ready: FluxCondition = {
      type: 'Ready',
      status: 'True',
      reason: 'ReconciliationSucceeded',
      message: `Applied revision: main@sha1:${SHA}`,
    };
    const k = object('Kustomization', [ready], {
      lastAppliedRevision: `main@sha1:${SHA}`,
    });
    expect(fluxProgress(k, { revision: SHA })).toMatchObject({
      state: 'applied',
      revision: `main@sha1:${SHA}`,
    });
    expect(fluxProgress(k, { revision: SHA.slice(0, 7) }).state).toBe(
      'applied',
    );
    expect(fluxProgress(k, { revision: OLD }).state).toBe('ready-elsewhere');
    expect(fluxProgress(k).state).toBe('applied');
    // Ready for the generation before: the new spec is not applied yet.
    const edited = object(
      'Kustomization',
      [ready],
      { lastAppliedRevision: `main@sha1:${SHA}` },
      3,
    );
    expect(fluxProgress(edited, { revision: SHA }).state).toBe('progressing');
  });

  it('fails a stalled object and one whose source cannot fetch', () => {
    const stalled = object('Kustomization', [
      readyFalse('InvalidPath'),
      { type: 'Stalled', status: 'True', reason: 'InvalidPath', message: '' },
    ]);
    expect(fluxProgress(stalled, { revision: SHA })).toMatchObject({
      state: 'failed',
      stalled: true,
      reason: 'InvalidPath',
    });

    const waiting = object('Kustomization', [readyFalse('ArtifactFailed')]);
    const source: FluxResource = {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: { name: 'repo', namespace: 'apps' },
      status: { conditions: [readyFalse('AuthenticationFailed')] },
    };
    expect(fluxProgress(waiting, { revision: SHA, source })).toMatchObject({
      state: 'failed',
      object: source,
      reason: 'AuthenticationFailed',
    });
    expect(fluxProgress(waiting, { revision: SHA }).state).toBe('progressing');
  });

  it('is progressing before Flux has looked at the object', () => {
    expect(
      fluxProgress(object('Kustomization', []), { revision: SHA }),
    ).toMatchObject({
      state: 'progressing',
      reason: 'NotReconciled',
      message: 'waiting to be reconciled',
    });
  });
});

describe('isRevision', () => {
  it('compares full shas exactly and short ones as prefixes', () => {
    expect(isRevision(`main@sha1:${SHA}`, SHA)).toBe(true);
    expect(isRevision(`main/${SHA}`, SHA)).toBe(true);
    expect(isRevision(`main@sha1:${SHA}`, 'aaaaaaa')).toBe(true);
    expect(isRevision(`main@sha1:${SHA}`, OLD)).toBe(false);
    expect(isRevision(undefined, SHA)).toBe(false);
    expect(isRevision(`main@sha1:${SHA}`, '')).toBe(false);
  });
});
