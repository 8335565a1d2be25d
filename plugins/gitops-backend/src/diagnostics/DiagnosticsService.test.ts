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

  it('runs a burst of requests as two runs: the one under way, then one shared by the rest', async () => {
    const pending: Array<() => void> = [];
    const checks = jest
      .spyOn(HealthChecker.prototype, 'run')
      .mockImplementation(
        (_watcher, _trigger, triggeredBy) =>
          new Promise<HealthReport>(resolve => {
            pending.push(() => resolve({ ...report, triggeredBy }));
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
    /** Lets the run under way end, once it has started. */
    const finishRun = async () => {
      await waitUntil(() => pending.length > 0);
      pending.shift()!();
    };

    const burst = Array.from({ length: 10 }, (_, n) =>
      diagnostics.run('local', 'manual', `user:default/u${n}`),
    );
    await finishRun();
    await finishRun();
    const answers = (await Promise.all(burst)).map(([r]) => r.triggeredBy);
    expect(checks).toHaveBeenCalledTimes(2);
    expect(addReport).toHaveBeenCalledTimes(2);
    // The first request's run; every later one the run started after it.
    expect(answers).toEqual([
      'user:default/u0',
      ...Array(9).fill('user:default/u1'),
    ]);

    // Nothing under way: the next request runs at once.
    const next = diagnostics.run('local', 'manual', 'user:default/later');
    await finishRun();
    expect((await next)[0].triggeredBy).toBe('user:default/later');
    expect(checks).toHaveBeenCalledTimes(3);
  });
});

async function waitUntil(condition: () => boolean) {
  for (let tries = 0; !condition(); tries++) {
    if (tries > 100) throw new Error('condition never met');
    await new Promise(resolve => setTimeout(resolve, 1));
  }
}
