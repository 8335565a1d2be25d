import { randomUUID } from 'node:crypto';
import {
  CheckResult,
  FluxResource,
  HEALTH_CHECK_IDS,
  HealthCheckId,
  HealthFinding,
  HealthReport,
} from '@gitops-backstage/plugin-gitops-common';
import { LoggerService } from '@backstage/backend-plugin-api';
import { MetricsService } from '@backstage/backend-plugin-api/alpha';
import { describeKubernetesError } from '@gitops-backstage/plugin-gitops-node';
import { ClusterClients } from '../cluster/ClusterClients';
import { ClusterWatcher } from '../cluster/ClusterWatcher';
import { apiCheck, fluxCheck, permissionsCheck } from './checks/clusterChecks';
import { gitCheck, ProbeCache } from './checks/gitCheck';
import { networkCheck } from './checks/networkCheck';
import {
  dependencyCheck,
  StalenessOptions,
  stalenessCheck,
  syncCheck,
  zombieFindings,
} from './checks/objectChecks';
import { CheckOutcome } from './checks/types';
import { gatherFailureFacts } from './checks/failureFacts';
import { UnrecognisedFailures } from './checks/unrecognisedFailures';

const TITLES: Record<HealthCheckId, string> = {
  api: 'Kubernetes API',
  flux: 'Flux installation',
  permissions: 'Backend permissions',
  git: 'Git repositories',
  sync: 'Sync state',
  network: 'Network policies',
  dependencies: 'dependsOn chains',
  staleness: 'Stale syncs',
};

export interface HealthCheckOptions {
  fluxNamespace: string;
  staleness: StalenessOptions;
  /** Hosts the Git probe may send a GitRepository Secret's credentials to. */
  mayProbeGitHost: (host: string) => boolean;
  /** Warn about Flux controllers without the multi-tenancy lockdown flags. */
  expectFluxLockdown?: boolean;
}

/**
 * Runs the eight checks of one cluster. Object checks read the watcher's
 * copy; the others ask the API server (and Git hosts) directly.
 */
export class HealthChecker {
  private readonly probeCache = new ProbeCache();
  readonly unrecognised: UnrecognisedFailures;

  constructor(
    private readonly clients: ClusterClients,
    private readonly options: HealthCheckOptions,
    /** Objects with our labels whose entity left the catalog. */
    private readonly findZombies: (
      watcher: ClusterWatcher,
    ) => Promise<
      Array<{ resource: FluxResource; entityRef: string }>
    > = async () => [],
    logger?: LoggerService,
    metrics?: MetricsService,
  ) {
    this.unrecognised = new UnrecognisedFailures(logger, metrics);
  }

  async run(
    watcher: ClusterWatcher,
    trigger: HealthReport['trigger'],
    triggeredBy?: string,
  ): Promise<HealthReport> {
    const startedAt = new Date();
    const cluster = watcher.cluster.name;
    const client = this.clients.get(cluster);
    const { fluxNamespace } = this.options;
    const results = new Map<HealthCheckId, CheckResult>();
    const findings: HealthFinding[] = [];

    const record = async (
      id: HealthCheckId,
      check: () => Promise<CheckOutcome> | CheckOutcome,
    ) => {
      const start = performance.now();
      let result: CheckOutcome;
      try {
        result = await check();
      } catch (error) {
        result = {
          status: 'failed',
          summary: `check could not run: ${describeKubernetesError(error)}`,
          findings: [],
        };
      }
      findings.push(...result.findings);
      results.set(id, {
        id,
        title: TITLES[id],
        status: result.status,
        summary: result.summary,
        durationMs: Math.round(performance.now() - start),
      });
    };

    let reachable = false;
    await record('api', async () => {
      const api = await apiCheck(cluster, client);
      reachable = api.reachable;
      return api;
    });
    let syncSummary: Record<string, number> = {};
    if (reachable) {
      const objects = watcher.objects();
      const repositories = objects.filter(o => o.kind === 'GitRepository');
      await Promise.all([
        record('flux', () =>
          fluxCheck(
            cluster,
            client,
            fluxNamespace,
            this.options.expectFluxLockdown ?? true,
          ),
        ),
        record('permissions', () =>
          permissionsCheck(cluster, client, fluxNamespace),
        ),
        record('git', () =>
          gitCheck(
            cluster,
            client,
            repositories,
            this.options.mayProbeGitHost,
            this.probeCache,
          ),
        ),
        record('network', () =>
          networkCheck(cluster, client, fluxNamespace, repositories),
        ),
        record('sync', async () => {
          // What failing objects refer to, read from the cluster: the
          // classifier decides from structure before wording.
          const facts = await gatherFailureFacts(
            client,
            fluxNamespace,
            objects,
          ).catch(() => undefined);
          const sync = syncCheck(cluster, objects, facts);
          const unknown = this.unrecognised.record(cluster, sync.findings);
          if (unknown > 0) {
            sync.summary = `${sync.summary}; ${unknown} failure(s) no rule recognises`;
          }
          syncSummary = sync.counts;
          const zombies = zombieFindings(
            cluster,
            await this.findZombies(watcher),
          );
          return zombies.length === 0
            ? sync
            : {
                ...sync,
                status: sync.status === 'failed' ? 'failed' : 'warning',
                summary: `${sync.summary}; ${zombies.length} object(s) whose entity is gone`,
                findings: [...sync.findings, ...zombies],
              };
        }),
        record('dependencies', () => dependencyCheck(cluster, objects)),
        record('staleness', () =>
          stalenessCheck(cluster, objects, new Date(), this.options.staleness),
        ),
      ]);
      dropDuplicates(findings);
    }
    const checks = HEALTH_CHECK_IDS.map(
      id =>
        results.get(id) ?? {
          id,
          title: TITLES[id],
          status: 'skipped' as const,
          summary: 'the Kubernetes API is not reachable',
          durationMs: 0,
        },
    );
    let status: HealthReport['status'] = 'passed';
    if (checks.some(c => c.status === 'failed')) {
      status = 'failed';
    } else if (checks.some(c => c.status === 'warning')) {
      status = 'warning';
    }
    return {
      id: randomUUID(),
      cluster,
      trigger,
      triggeredBy,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      status,
      checks,
      findings: sortFindings(findings),
      syncSummary,
    };
  }
}

const SEVERITY_ORDER = { critical: 0, error: 1, warning: 2 };

function sortFindings(findings: HealthFinding[]): HealthFinding[] {
  return findings.sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      a.code.localeCompare(b.code),
  );
}

/**
 * The Git probe and the sync check may both report one GitRepository with
 * the same code: keep the probe's finding, which has the stronger evidence.
 */
function dropDuplicates(findings: HealthFinding[]) {
  const key = (f: HealthFinding, o: FluxResource['metadata'] | undefined) =>
    `${f.code}|${f.object?.kind}|${o?.namespace}|${o?.name}`;
  const fromGit = new Set(
    findings.filter(f => f.check === 'git').map(f => key(f, f.object as any)),
  );
  for (let i = findings.length - 1; i >= 0; i--) {
    const f = findings[i];
    if (f.check === 'sync' && fromGit.has(key(f, f.object as any))) {
      findings.splice(i, 1);
    }
  }
}
