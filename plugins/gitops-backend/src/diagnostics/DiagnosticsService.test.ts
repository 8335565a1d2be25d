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

function service(autoRepair: string[]) {
  const apply = jest.fn(async () => ({}));
  const options = readHealthOptions(
    new ConfigReader({ gitops: { health: { autoRepair } } }),
  );
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
    const { diagnostics, apply } = service([]);
    await diagnostics.runScheduled();
    expect(diagnostics.run).toHaveBeenCalledWith(undefined, 'schedule');
    expect(apply).not.toHaveBeenCalled();
  });

  it('applies only the repairs config opted in to', async () => {
    const { diagnostics, apply } = service(['resync']);
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
    expect(() => service(['format-disk'])).toThrow(
      "gitops.health.autoRepair: unknown repair 'format-disk'",
    );
  });
});
