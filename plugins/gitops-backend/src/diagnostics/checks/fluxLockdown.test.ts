import { V1Deployment } from '@kubernetes/client-node';
import {
  FLUX_NAMESPACE,
  fluxInstallation,
} from '../../__testUtils__/fluxInstall';
import { flagValue, lockdownFindings } from './fluxLockdown';

const deployments = (options: { lockdown?: boolean } = {}) =>
  fluxInstallation(options).filter(
    o => o.kind === 'Deployment',
  ) as unknown as V1Deployment[];

describe("Flux's multi-tenancy lockdown", () => {
  it('finds nothing on a locked-down installation', () => {
    expect(lockdownFindings('local', FLUX_NAMESPACE, deployments())).toEqual(
      [],
    );
  });

  it('warns per controller that runs with flux install defaults, naming the flags and how to set them', () => {
    const findings = lockdownFindings(
      'local',
      FLUX_NAMESPACE,
      deployments({ lockdown: false }),
    );
    expect(findings.map(f => [f.code, f.severity, f.object?.name])).toEqual([
      ['FLUX_LOCKDOWN_OFF', 'warning', 'kustomize-controller'],
      ['FLUX_LOCKDOWN_OFF', 'warning', 'helm-controller'],
      ['FLUX_LOCKDOWN_OFF', 'warning', 'notification-controller'],
    ]);
    expect(findings[0].evidence).toBe(
      'Deployment flux-system/kustomize-controller runs without --default-service-account, --no-cross-namespace-refs, --no-remote-bases',
    );
    expect(findings[0].cause).toContain('cluster-wide rights');
    expect(findings[1].fix).toContain(
      `kubectl -n flux-system patch deployment helm-controller --type=json -p '[{"op":"add","path":"/spec/template/spec/containers/0/args/-","value":"--default-service-account=default"}]'`,
    );
  });

  it('reads flags as Go does: =value, a separate value, one dash, and false as off', () => {
    expect(
      flagValue(
        ['--default-service-account', 'tenant'],
        '--default-service-account',
      ),
    ).toBe('tenant');
    expect(flagValue(['-no-remote-bases'], '--no-remote-bases', true)).toBe(
      'true',
    );
    expect(
      flagValue(['--no-remote-bases', 'positional'], '--no-remote-bases', true),
    ).toBe('true');
    expect(flagValue(['--no-remote-bases=false'], '--no-remote-bases')).toBe(
      'false',
    );
    expect(
      flagValue(['--no-remote-bases-x=true'], '--no-remote-bases'),
    ).toBeUndefined();
    const offAgain = deployments();
    offAgain[1].spec!.template.spec!.containers[0].args!.push(
      '--no-cross-namespace-refs=false',
    );
    expect(
      lockdownFindings('local', FLUX_NAMESPACE, offAgain).map(f => f.evidence),
    ).toEqual([
      'Deployment flux-system/kustomize-controller runs without --no-cross-namespace-refs',
    ]);
  });
});
