import fs from 'node:fs';
import path from 'node:path';
import { conditionOfType } from './conditions';
import { fluxObjectStatus, fluxRetry, syncState } from './fluxState';
import { FluxCondition, FluxResource } from './types';

// Captured from the controllers the stack pins (kustomize-controller v1.9.3,
// helm-controller v1.6.2) by packages/e2e-tests/src/corpus/corpus.e2e.test.ts.
const corpusDir = path.join(__dirname, '..', 'diagnostics', '__fixtures__');
const captured = (name: string): FluxResource => {
  const corpusFile = path.join(corpusDir, 'corpus', `${name}.json`);
  return fs.existsSync(corpusFile)
    ? JSON.parse(fs.readFileSync(corpusFile, 'utf8')).object
    : require(`./__fixtures__/${name}.json`);
};
const corpusNames = (prefix: string) =>
  fs
    .readdirSync(path.join(corpusDir, 'corpus'))
    .filter(file => file.startsWith(prefix) && file.endsWith('.json'))
    .map(file => file.replace(/\.json$/, ''));

const PROGRESSING_WITH_RETRY: FluxCondition = {
  type: 'Reconciling',
  status: 'True',
  reason: 'ProgressingWithRetry',
};

function withConditions(
  object: FluxResource,
  conditions: FluxCondition[],
): FluxResource {
  return { ...object, status: { ...object.status, conditions } };
}

describe('fluxRetry on every captured Kustomization and HelmRelease', () => {
  // Ready=False with Reconciling=True/ProgressingWithRetry and no Stalled.
  const retrying = [
    'bad-path',
    'health-check',
    'ks-artifact-download-failed',
    'ks-broken-yaml',
    'ks-health-check-missing-object',
    'ks-immutable-field',
    'ks-invalid-manifest',
    'ks-missing-decryption-secret',
    'ks-missing-kubeconfig-secret',
    'ks-missing-namespace',
    'ks-missing-service-account',
    'ks-missing-substitute-configmap',
    'ks-missing-substitute-secret',
    'ks-no-such-path',
    'ks-service-account-without-rbac',
    'ks-source-controller-stopped',
    'ks-unknown-kind',
    'ks-wait-timeout',
  ];
  const notRetrying: Record<string, string> = {
    ready: 'Ready',
    suspended: 'suspended',
    dependency: 'waits for a dependency, no Reconciling',
    'wrong-password': 'waits for its source, no Reconciling',
    'ks-depends-on-failing': 'waits for a dependency, no Reconciling',
    'ks-depends-on-missing': 'waits for a dependency, no Reconciling',
    'ks-failing-source': 'waits for its source, no Reconciling',
    'ks-missing-source': 'waits for its source, no Reconciling',
    'ks-kustomize-controller-stopped': 'never reconciled',
    'hr-helm-controller-stopped': 'never reconciled',
    'hr-depends-on-missing':
      'waits for a dependency (Ready reason DependencyNotReady)',
    // No release attempted with this spec yet: as while a chart builds.
    'hr-missing-source': 'Reconciling: no release attempted yet',
    'hr-missing-values-configmap': 'Reconciling: no release attempted yet',
    'hr-missing-values-key': 'Reconciling: no release attempted yet',
    'hr-missing-values-secret': 'Reconciling: no release attempted yet',
    'hr-install-conflict': 'Stalled',
    'hr-install-retries-exhausted': 'Stalled',
    'hr-install-timeout': 'Stalled',
    'hr-invalid-manifest': 'Stalled',
    'hr-test-failure': 'Stalled',
    'hr-upgrade-immutable': 'Stalled',
    'hr-upgrade-timeout-rollback': 'Stalled',
  };

  // helm-controller retries these with Reconciling=True/Progressing (not
  // ProgressingWithRetry) and status.observedGeneration -1, beside a
  // Ready=False failure of a release attempted with this generation.
  const helmRetrying = ['hr-missing-service-account', 'hr-render-error'];

  it.each(helmRetrying)('%s is failing and retrying, not reconciling', name => {
    const object = captured(name);
    const ready = conditionOfType(object, 'Ready')!;
    expect([ready.status, ready.observedGeneration]).toEqual([
      'False',
      object.metadata.generation,
    ]);
    expect(conditionOfType(object, 'Reconciling')?.reason).toBe('Progressing');
    expect(object.status?.lastAttemptedGeneration).toBe(
      object.metadata.generation,
    );
    expect(syncState(object)).toBe('Failed');
    expect(fluxRetry(object)).toBeDefined();
  });

  it('counts the failures of a HelmRelease captured between its install retries', () => {
    // hr-install-retrying: install remediation retries 5, one or more spent.
    const object = captured('hr-install-retrying');
    expect(conditionOfType(object, 'Stalled')?.status).not.toBe('True');
    expect(conditionOfType(object, 'Reconciling')?.status).toBe('True');
    expect(object.status?.installFailures).toBeGreaterThanOrEqual(1);
    expect(syncState(object)).toBe('Failed');
    expect(fluxRetry(object)).toEqual({
      failures: object.status?.installFailures,
      maxRetries: 5,
    });
    expect(fluxObjectStatus('local', object, 'x').retrying).toEqual(
      fluxRetry(object),
    );
  });

  it('leaves a HelmRelease with no release of its spec yet (its chart still building) Reconciling', () => {
    // The shape of every install or chart change until the chart is built.
    expect(syncState(captured('hr-missing-source'))).toBe('Reconciling');
  });

  it('classifies every captured object', () => {
    const classified = [
      ...retrying,
      ...helmRetrying,
      'hr-install-retrying',
      ...Object.keys(notRetrying),
    ];
    for (const name of [...corpusNames('ks-'), ...corpusNames('hr-')]) {
      expect(classified).toContain(name);
    }
  });

  it.each(retrying)(
    '%s is retrying, without a count (Flux keeps none)',
    name => {
      const object = captured(name);
      expect(conditionOfType(object, 'Ready')?.status).toBe('False');
      expect(conditionOfType(object, 'Reconciling')).toMatchObject(
        PROGRESSING_WITH_RETRY,
      );
      expect(fluxRetry(object)).toEqual({});
    },
  );

  it.each(Object.entries(notRetrying))('%s is not retrying: %s', name => {
    expect(fluxRetry(captured(name))).toBeUndefined();
  });
});

describe('fluxRetry on the captured HelmReleases that ran out of retries', () => {
  // helm-controller stalls with "Failed to <action> after <n> attempt(s)"
  // once the action's failure counter exceeds its remediation retries.
  const exhausted = corpusNames('hr-')
    .map(name => ({ name, object: captured(name) }))
    .map(({ name, object }) => ({
      name,
      object,
      stall: /^Failed to (install|upgrade) after (\d+) attempt/.exec(
        conditionOfType(object, 'Stalled')?.message ?? '',
      ),
    }))
    .filter(({ stall }) => stall !== null)
    .map(({ name, object, stall }) => ({
      name,
      object,
      action: stall![1] as 'install' | 'upgrade',
      attempts: Number(stall![2]),
    }));

  it('has captured both install and upgrade failures', () => {
    expect(exhausted.map(e => e.action)).toEqual(
      expect.arrayContaining(['install', 'upgrade']),
    );
  });

  it.each(exhausted)(
    '$name: the counter of the action Flux names, not retrying once stalled',
    ({ object, action, attempts }) => {
      expect(object.status?.lastAttemptedReleaseAction).toBe(action);
      expect(object.status?.[`${action}Failures`]).toBe(attempts);
      expect(object.spec?.[action]?.remediation?.retries ?? 0).toBe(
        attempts - 1,
      );
      expect(fluxRetry(object)).toBeUndefined();
    },
  );

  // One failure earlier, while retries remained, the controller wrote
  // Reconciling=True/ProgressingWithRetry instead of Stalled.
  it.each(exhausted.filter(e => e.attempts > 1))(
    '$name one failure earlier: retrying its last $action retry',
    ({ object, action, attempts }) => {
      const earlier = withConditions(object, [
        PROGRESSING_WITH_RETRY,
        conditionOfType(object, 'Ready')!,
      ]);
      earlier.status![`${action}Failures`] = attempts - 1;
      expect(fluxRetry(earlier)).toEqual({
        failures: attempts - 1,
        maxRetries: attempts - 1,
      });
    },
  );
});

describe('fluxRetry edge cases', () => {
  const installFailed = withConditions(captured('hr-install-conflict'), [
    PROGRESSING_WITH_RETRY,
    { type: 'Ready', status: 'False', reason: 'InstallFailed' },
  ]);

  it('counts the install of a release installed but whose test failed', () => {
    // hr-test-failure: history holds the deployed release, but the failed
    // test belongs to the install, and installFailures counts it.
    const object = withConditions(captured('hr-test-failure'), [
      PROGRESSING_WITH_RETRY,
      conditionOfType(captured('hr-test-failure'), 'Ready')!,
    ]);
    expect(fluxRetry(object)).toEqual({ failures: 1 });
  });

  it('chooses the counter by a successful release when the controller names no action', () => {
    const status = {
      ...installFailed.status,
      lastAttemptedReleaseAction: undefined,
      installFailures: 2,
      upgradeFailures: 3,
    };
    expect(
      fluxRetry({ ...installFailed, status: { ...status, history: [] } }),
    ).toEqual({ failures: 2 });
    expect(
      fluxRetry({
        ...installFailed,
        status: { ...status, history: [{ status: 'failed' }] },
      }),
    ).toEqual({ failures: 2 });
    expect(
      fluxRetry({
        ...installFailed,
        status: {
          ...status,
          history: [{ status: 'failed' }, { status: 'deployed' }],
        },
      }),
    ).toEqual({ failures: 3 });
  });

  it.each([
    ['RemediateOnFailure with retries', { remediation: { retries: 5 } }, 5],
    [
      'RetryOnFailure, which has no limit',
      { strategy: { name: 'RetryOnFailure' }, remediation: { retries: 5 } },
      undefined,
    ],
    ['unlimited retries', { remediation: { retries: -1 } }, undefined],
    ['no retries set', {}, undefined],
  ])('limits by the remediation: %s', (_, install, maxRetries) => {
    expect(
      fluxRetry({ ...installFailed, spec: { ...installFailed.spec, install } })
        ?.maxRetries,
    ).toBe(maxRetries);
  });

  it('is absent when Stalled, suspended or Ready', () => {
    expect(fluxRetry(installFailed)).toEqual({ failures: 1 });
    expect(
      fluxRetry(
        withConditions(installFailed, [
          ...installFailed.status!.conditions!,
          { type: 'Stalled', status: 'True', reason: 'RetriesExceeded' },
        ]),
      ),
    ).toBeUndefined();
    expect(
      fluxRetry({
        ...installFailed,
        spec: { ...installFailed.spec, suspend: true },
      }),
    ).toBeUndefined();
    expect(
      fluxRetry(
        withConditions(installFailed, [
          { type: 'Ready', status: 'True', reason: 'InstallSucceeded' },
        ]),
      ),
    ).toBeUndefined();
  });

  it('is in the object status only when retrying', () => {
    expect(
      fluxObjectStatus('local', captured('bad-path'), 'x').retrying,
    ).toEqual({});
    expect(fluxObjectStatus('local', installFailed, 'x').retrying).toEqual({
      failures: 1,
    });
    expect(
      fluxObjectStatus('local', captured('ready'), 'x'),
    ).not.toHaveProperty('retrying');
  });
});
