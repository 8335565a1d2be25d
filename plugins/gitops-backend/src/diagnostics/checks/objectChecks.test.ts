import { FluxResource } from '@gitops-backstage/plugin-gitops-common';
import {
  dependencyCheck,
  stalenessCheck,
  syncCheck,
  zombieFindings,
} from './objectChecks';
import { capturedFixture } from '../../__testUtils__/capturedFixture';

const wrongPassword = capturedFixture('status', 'wrong-password-source');
const ready = capturedFixture('status', 'ready');

const ks = (
  name: string,
  dependsOn: string[] = [],
  readyStatus = 'True',
): FluxResource => ({
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  kind: 'Kustomization',
  metadata: { name, namespace: 'apps', generation: 1 },
  spec: { dependsOn: dependsOn.map(d => ({ name: d })), interval: '5m' },
  status: {
    observedGeneration: 1,
    conditions: [
      {
        type: 'Ready',
        status: readyStatus,
        reason:
          readyStatus === 'True' ? 'ReconciliationSucceeded' : 'BuildFailed',
        message: 'x',
      },
    ],
  },
});

describe('syncCheck', () => {
  it('counts states and classifies a captured wrong-password failure with its repair', () => {
    const result = syncCheck('local', [
      wrongPassword as FluxResource,
      ready as FluxResource,
    ]);
    expect(result.counts).toEqual({ Failed: 1, Ready: 1 });
    expect(result.status).toBe('failed');
    expect(result.findings).toHaveLength(1);
    const [finding] = result.findings;
    expect(finding.code).toBe('GIT_AUTH_FAILED');
    expect(finding.evidence).toMatch(
      /^Ready=False reason GitOperationFailed: .*authentication required/,
    );
    // HTTP with a password: the portal has no read-only key to give.
    expect(finding.repair).toBeUndefined();
    expect(finding.fix.join('\n')).toContain(
      `flux -n ${wrongPassword.metadata.namespace} reconcile source git`,
    );
  });

  it('offers a new deploy key for an SSH source that fails to authenticate', () => {
    const overSsh = {
      ...wrongPassword,
      spec: {
        ...(wrongPassword as FluxResource).spec,
        url: 'ssh://git@127.0.0.1:3322/gitops/shop.git',
      },
    } as FluxResource;
    const [finding] = syncCheck('local', [overSsh]).findings;
    expect(finding.repair).toMatchObject({
      type: 'refresh-git-credentials',
      title: 'Issue a new read-only deploy key',
    });
  });
});

describe('dependencyCheck', () => {
  it('reports missing, not ready and cyclic dependencies', () => {
    const result = dependencyCheck('local', [
      ks('web', ['db', 'ghost']),
      ks('db', [], 'False'),
      ks('a', ['b']),
      ks('b', ['a']),
    ]);
    expect(
      result.findings.map(f => `${f.code} ${f.object?.name}`).sort(),
    ).toEqual([
      'DEPENDENCY_CYCLE a',
      'DEPENDENCY_MISSING web',
      'DEPENDENCY_NOT_READY web',
    ]);
    expect(
      result.findings.find(f => f.code === 'DEPENDENCY_CYCLE')?.evidence,
    ).toBe(
      'dependsOn cycle: Kustomization/apps/a → Kustomization/apps/b → Kustomization/apps/a',
    );
  });

  it('names a dependency in a command only when it is a name Kubernetes accepts', () => {
    const [plain] = dependencyCheck('local', [ks('web', ['ghost'])]).findings;
    expect(plain.fix[0]).toBe('kubectl -n apps get kustomization/ghost');
    for (const hostile of [
      'ghost;touch /tmp/pwned',
      '--server=https://attacker.example',
    ]) {
      const [finding] = dependencyCheck('local', [
        ks('web', [hostile]),
      ]).findings;
      expect(finding.fix.every(line => line.startsWith('# '))).toBe(true);
    }
  });

  it('passes complete chains', () => {
    expect(dependencyCheck('local', [ks('web', ['db']), ks('db')]).status).toBe(
      'passed',
    );
  });
});

describe('stalenessCheck', () => {
  const options = { intervalMultiple: 2, minimumMs: 600_000 };
  const last = Date.parse((ready as any).status.history[0].lastReconciled);

  it('flags a Ready Kustomization not reconciled for longer than twice its interval', () => {
    // interval 1h: stale after 2h.
    const now = new Date(last + 2 * 3_600_000 + 60_000);
    const result = stalenessCheck(
      'local',
      [ready as FluxResource],
      now,
      options,
    );
    expect(result.findings.map(f => f.code)).toEqual(['STALE_SYNC']);
    expect(result.findings[0].evidence).toContain('121 min ago');
  });

  it('keeps quiet within the limit', () => {
    const now = new Date(last + 3_600_000);
    expect(
      stalenessCheck('local', [ready as FluxResource], now, options).findings,
    ).toEqual([]);
  });
});

describe('zombieFindings', () => {
  it('offers the cluster-wide removal for each object whose entity is gone', () => {
    const [finding] = zombieFindings('local', [
      { resource: ks('web'), entityRef: 'component:default/web' },
    ]);
    expect(finding).toMatchObject({
      code: 'ZOMBIE_RESOURCE',
      severity: 'warning',
      object: { kind: 'Kustomization', namespace: 'apps', name: 'web' },
      repair: { type: 'remove-zombies' },
    });
    expect(finding.repair?.target).toBeUndefined();
    expect(finding.fix).toEqual(['kubectl -n apps delete kustomization web']);
  });
});
