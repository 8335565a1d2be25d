import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { HealthReport } from '@gitops-backstage/plugin-gitops-common';
import { DiagnosticsService, readHealthOptions } from './DiagnosticsService';

const report = {
  cluster: 'local',
  findings: [
    {
      code: 'CONTROLLER_UNHEALTHY',
      repair: {
        type: 'restart-controller',
        target: { kind: 'Deployment', name: 'helm-controller' },
      },
    },
    {
      code: 'YAML_INVALID',
      repair: {
        type: 'resync',
        target: { kind: 'Kustomization', name: 'app' },
      },
    },
    { code: 'STALE_SYNC' },
  ],
} as unknown as HealthReport;

/** The service with this config (no `gitops` block: every default). */
function service(config: object = {}) {
  const apply = jest.fn(async () => ({}));
  const options = readHealthOptions(new ConfigReader(config));
  const diagnostics = new DiagnosticsService({
    status: {} as any,
    clients: {} as any,
    store: {} as any,
    repairs: { apply } as any,
    auth: mockServices.auth(),
    logger: mockServices.logger.mock(),
    options,
  });
  jest.spyOn(diagnostics, 'run').mockResolvedValue([report]);
  return { diagnostics, apply };
}

describe('DiagnosticsService.runScheduled', () => {
  it('repairs nothing unattended by default', async () => {
    // No autoRepair key at all, as in a config that never mentions it.
    const { diagnostics, apply } = service({ gitops: { health: {} } });
    await diagnostics.runScheduled();
    expect(apply).not.toHaveBeenCalled();
    // Nor without any gitops config.
    const bare = service();
    await diagnostics.runScheduled();
    await bare.diagnostics.runScheduled();
    expect(bare.diagnostics.run).toHaveBeenCalledWith(undefined, 'schedule');
    expect(bare.apply).not.toHaveBeenCalled();
  });

  it('applies only the repairs config opted in to', async () => {
    const { diagnostics, apply } = service({
      gitops: { health: { autoRepair: ['resync'] } },
    });
    await diagnostics.runScheduled();
    expect(apply).toHaveBeenCalledTimes(1);
    expect(apply).toHaveBeenCalledWith(
      {
        cluster: 'local',
        type: 'resync',
        target: { kind: 'Kustomization', name: 'app' },
      },
      'gitops-health-schedule',
      expect.anything(),
    );
  });

  it('refuses an unknown repair in config', () => {
    expect(() =>
      service({ gitops: { health: { autoRepair: ['format-disk'] } } }),
    ).toThrow("gitops.health.autoRepair: unknown repair 'format-disk'");
  });
});
