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

  it("reads flags as Flux's parser (pflag) does", () => {
    const dsa = '--default-service-account';
    expect(flagValue([dsa, 'tenant'], dsa)).toBe('tenant');
    // A value flag takes the next arg whatever it looks like.
    expect(flagValue([dsa, '--no-remote-bases=true'], dsa)).toBe(
      '--no-remote-bases=true',
    );
    expect(
      flagValue([dsa, '--no-remote-bases=true'], '--no-remote-bases', true),
    ).toBeUndefined();
    expect(flagValue(['--no-remote-bases'], '--no-remote-bases', true)).toBe(
      'true',
    );
    expect(
      flagValue(['--no-remote-bases', 'positional'], '--no-remote-bases', true),
    ).toBe('true');
    // One dash is not this flag; nothing after -- is a flag.
    expect(
      flagValue(['-no-remote-bases'], '--no-remote-bases', true),
    ).toBeUndefined();
    expect(
      flagValue(['--', '--no-remote-bases'], '--no-remote-bases', true),
    ).toBeUndefined();
    expect(
      flagValue(['--no-remote-bases-x=true'], '--no-remote-bases', true),
    ).toBeUndefined();
  });

  it('takes booleans as strconv.ParseBool does, and the last occurrence', () => {
    const withArgs = (extra: string[]) => {
      const list = deployments();
      list[1].spec!.template.spec!.containers[0].args!.push(...extra);
      return lockdownFindings('local', FLUX_NAMESPACE, list).map(
        f => f.evidence,
      );
    };
    expect(withArgs(['--no-cross-namespace-refs=false'])).toEqual([
      'Deployment flux-system/kustomize-controller runs without --no-cross-namespace-refs',
    ]);
    expect(
      withArgs([
        '--no-cross-namespace-refs=false',
        '--no-cross-namespace-refs=T',
      ]),
    ).toEqual([]);
    expect(withArgs(['--no-cross-namespace-refs=1'])).toEqual([]);
  });
});
