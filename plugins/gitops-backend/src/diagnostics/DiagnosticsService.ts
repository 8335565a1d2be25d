import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { MetricsService } from '@backstage/backend-plugin-api/alpha';
import { Config } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import {
  HealthReport,
  parseDuration,
  RepairRecord,
  RepairType,
  REPAIR_TYPES,
} from '@gitops-backstage/plugin-gitops-common';
import { ClusterClients } from '../cluster/ClusterClients';
import { ClusterWatcher } from '../cluster/ClusterWatcher';
import { FluxStatusService } from '../status/FluxStatusService';
import { DiagnosticsStore } from './DiagnosticsStore';
import { HealthChecker, HealthCheckOptions } from './HealthChecker';
import { RepairService } from './RepairService';

/** `gitops.health` configuration. */
export function readHealthOptions(config: Config): HealthCheckOptions & {
  autoRepair: RepairType[];
} {
  const health = config.getOptionalConfig('gitops.health');
  const minimum = health?.getOptionalString('staleSync.minimum') ?? '10m';
  const autoRepair = (health?.getOptionalStringArray('autoRepair') ??
    []) as RepairType[];
  for (const type of autoRepair) {
    if (!REPAIR_TYPES.includes(type)) {
      throw new Error(
        `gitops.health.autoRepair: unknown repair '${type}'; known: ${REPAIR_TYPES.join(
          ', ',
        )}`,
      );
    }
  }
  // The probe asks only hosts the portal already has an integration for,
  // plus those the platform lists.
  const integrations = ScmIntegrations.fromConfig(config);
  const allowedHosts = new Set(
    health?.getOptionalStringArray('gitProbe.allowedHosts') ?? [],
  );
  return {
    mayProbeGitHost: (host: string) =>
      allowedHosts.has(host) || integrations.byHost(host) !== undefined,
    fluxNamespace:
      config.getOptionalString('gitops.fluxNamespace') ?? 'flux-system',
    expectFluxLockdown: health?.getOptionalBoolean('fluxLockdown') ?? true,
    staleness: {
      intervalMultiple:
        health?.getOptionalNumber('staleSync.intervalMultiple') ?? 2,
      minimumMs: parseDuration(minimum) ?? 600_000,
    },
    autoRepair,
  };
}

/** Runs health checks, keeps their reports, and offers repairs. */
export class DiagnosticsService {
  private readonly checker: HealthChecker;
  /** The run under way per cluster. */
  private readonly running = new Map<string, Promise<HealthReport>>();
  /** The run that follows it, shared by every request made meanwhile. */
  private readonly next = new Map<string, Promise<HealthReport>>();

  constructor(
    private readonly deps: {
      status: FluxStatusService;
      clients: ClusterClients;
      store: DiagnosticsStore;
      repairs: RepairService;
      auth: AuthService;
      logger: LoggerService;
      metrics?: MetricsService;
      options: ReturnType<typeof readHealthOptions>;
    },
  ) {
    this.checker = new HealthChecker(
      deps.clients,
      deps.options,
      watcher => deps.repairs.findZombies(watcher),
      deps.logger,
      deps.metrics,
    );
  }

  get repairs(): RepairService {
    return this.deps.repairs;
  }

  async run(
    cluster: string | undefined,
    trigger: HealthReport['trigger'],
    triggeredBy?: string,
  ): Promise<HealthReport[]> {
    const watchers = cluster
      ? [this.deps.status.watcher(cluster)]
      : this.deps.status.watchers;
    return Promise.all(
      watchers.map(watcher => this.runOnce(watcher, trigger, triggeredBy)),
    );
  }

  /**
   * One run per cluster at a time. A request made while one is under way
   * gets the run that starts after it, shared with every request made
   * meanwhile: a burst costs two runs, not one each, and no caller gets a
   * report whose checks began before it asked (after a repair, say).
   */
  private runOnce(
    watcher: ClusterWatcher,
    trigger: HealthReport['trigger'],
    triggeredBy?: string,
  ): Promise<HealthReport> {
    const name = watcher.cluster.name;
    const underWay = this.running.get(name);
    if (!underWay) {
      return this.start(watcher, trigger, triggeredBy);
    }
    let following = this.next.get(name);
    if (!following) {
      following = underWay
        .catch(() => undefined)
        .then(() => {
          this.next.delete(name);
          return this.start(watcher, trigger, triggeredBy);
        });
      this.next.set(name, following);
    }
    return following;
  }

  private start(
    watcher: ClusterWatcher,
    trigger: HealthReport['trigger'],
    triggeredBy?: string,
  ): Promise<HealthReport> {
    const name = watcher.cluster.name;
    const run = (async () => {
      const report = await this.checker.run(watcher, trigger, triggeredBy);
      await this.deps.store.addReport(report);
      return report;
    })().finally(() => {
      if (this.running.get(name) === run) {
        this.running.delete(name);
      }
    });
    this.running.set(name, run);
    return run;
  }

  /** The scheduled run; repairs only what config opted in to. */
  async runScheduled(): Promise<void> {
    const reports = await this.run(undefined, 'schedule');
    const allowed = new Set(this.deps.options.autoRepair);
    if (allowed.size === 0) {
      return;
    }
    const credentials = await this.deps.auth.getOwnServiceCredentials();
    for (const report of reports) {
      for (const finding of report.findings) {
        if (finding.repair && allowed.has(finding.repair.type)) {
          await this.deps.repairs
            .apply(
              {
                cluster: report.cluster,
                type: finding.repair.type,
                target: finding.repair.target,
              },
              'gitops-health-schedule',
              credentials,
            )
            .catch(error =>
              this.deps.logger.warn(`automatic repair failed: ${error}`),
            );
        }
      }
    }
  }

  latestReports(): Promise<HealthReport[]> {
    return this.deps.store.latestReports();
  }

  reports(cluster: string, limit: number): Promise<HealthReport[]> {
    this.deps.status.watcher(cluster);
    return this.deps.store.reports(cluster, limit);
  }

  auditLog(limit: number): Promise<RepairRecord[]> {
    return this.deps.store.repairs(limit);
  }
}
