import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { HealthReport } from '@gitops-backstage/plugin-gitops-common';
import { DiagnosticsService, readHealthOptions } from './DiagnosticsService';
import { HealthChecker } from './HealthChecker';

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

describe('DiagnosticsService.run', () => {
  afterEach(() => jest.restoreAllMocks());

  it('runs once per cluster for a burst of requests, each getting its report', async () => {
    let finish: (report: HealthReport) => void = () => {};
    const checks = jest
      .spyOn(HealthChecker.prototype, 'run')
      .mockImplementation(
        (_watcher, _trigger, triggeredBy) =>
          new Promise<HealthReport>(resolve => {
            finish = resolved => resolve({ ...resolved, triggeredBy });
          }),
      );
    const addReport = jest.fn(async () => {});
    const watcher = { cluster: { name: 'local' } } as any;
    const diagnostics = new DiagnosticsService({
      status: { watcher: () => watcher, watchers: [watcher] } as any,
      clients: {} as any,
      store: { addReport } as any,
      repairs: {} as any,
      auth: mockServices.auth(),
      logger: mockServices.logger.mock(),
      options: readHealthOptions(new ConfigReader({})),
    });

    const burst = Array.from({ length: 10 }, (_, n) =>
      diagnostics.run('local', 'manual', `user:default/u${n}`),
    );
    finish(report);
    const answers = await Promise.all(burst);
    expect(checks).toHaveBeenCalledTimes(1);
    expect(addReport).toHaveBeenCalledTimes(1);
    expect(new Set(answers.map(([r]) => r.triggeredBy))).toEqual(
      new Set(['user:default/u0']),
    );

    // Once it ended, the next request runs again.
    const next = diagnostics.run('local', 'manual', 'user:default/later');
    finish(report);
    expect((await next)[0].triggeredBy).toBe('user:default/later');
    expect(checks).toHaveBeenCalledTimes(2);
  });
});
