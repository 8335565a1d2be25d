import { Knex } from 'knex';
import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import {
  HealthReport,
  RepairRecord,
} from '@gitops-backstage/plugin-gitops-common';

const migrationsDir = resolvePackagePath(
  '@gitops-backstage/plugin-gitops-backend',
  'migrations',
);

/** How many reports per cluster are kept. */
const KEEP_REPORTS = 50;

/** Health reports and the repair audit log in the plugin's database. */
export class DiagnosticsStore {
  static async create(database: DatabaseService): Promise<DiagnosticsStore> {
    const client = await database.getClient();
    if (!database.migrations?.skip) {
      await client.migrate.latest({
        directory: migrationsDir,
        tableName: 'gitops_knex_migrations',
      });
    }
    return new DiagnosticsStore(client);
  }

  constructor(private readonly db: Knex) {}

  async addReport(report: HealthReport): Promise<void> {
    await this.db('gitops_health_reports').insert({
      id: report.id,
      cluster: report.cluster,
      status: report.status,
      trigger: report.trigger,
      triggered_by: report.triggeredBy ?? null,
      started_at: new Date(report.startedAt),
      finished_at: new Date(report.finishedAt),
      report: JSON.stringify(report),
    });
    const old = await this.db('gitops_health_reports')
      .where({ cluster: report.cluster })
      .orderBy([
        { column: 'started_at', order: 'desc' },
        { column: 'finished_at', order: 'desc' },
      ])
      .offset(KEEP_REPORTS)
      .pluck('id');
    if (old.length > 0) {
      await this.db('gitops_health_reports').whereIn('id', old).delete();
    }
  }

  /**
   * The newest report of each cluster: the check that started last, as it
   * saw the cluster most recently. Checks overlap (a schedule, several
   * users), and one started earlier may finish after it.
   */
  async latestReports(): Promise<HealthReport[]> {
    const newest = this.db('gitops_health_reports')
      .select('cluster')
      .max({ started_at: 'started_at' })
      .groupBy('cluster')
      .as('newest');
    const rows: Array<{ cluster: string; report: string }> = await this.db(
      'gitops_health_reports as r',
    )
      .join(newest, function join() {
        this.on('r.cluster', '=', 'newest.cluster').andOn(
          'r.started_at',
          '=',
          'newest.started_at',
        );
      })
      .orderBy('r.finished_at', 'desc')
      .select('r.cluster', 'r.report');
    // Two checks started in the same millisecond: the one finished last.
    const byCluster = new Map<string, string>();
    for (const row of rows) {
      if (!byCluster.has(row.cluster)) {
        byCluster.set(row.cluster, row.report);
      }
    }
    return [...byCluster.values()].map(report => JSON.parse(report));
  }

  async reports(cluster: string, limit: number): Promise<HealthReport[]> {
    const rows = await this.db('gitops_health_reports')
      .where({ cluster })
      .orderBy([
        { column: 'started_at', order: 'desc' },
        { column: 'finished_at', order: 'desc' },
      ])
      .limit(limit)
      .select('report');
    return rows.map(row => JSON.parse(row.report));
  }

  async addRepair(record: RepairRecord): Promise<void> {
    await this.db('gitops_repair_audit').insert({
      id: record.id,
      cluster: record.cluster,
      type: record.type,
      target: record.target
        ? `${record.target.kind}/${record.target.namespace ?? ''}/${
            record.target.name
          }`
        : null,
      actor: record.actor,
      at: new Date(record.at),
      outcome: record.outcome,
      error: record.error ?? null,
      plan: JSON.stringify(record.plan),
    });
  }

  async repairs(limit: number): Promise<RepairRecord[]> {
    const rows = await this.db('gitops_repair_audit')
      .orderBy('at', 'desc')
      .limit(limit);
    return rows.map(row => {
      const plan = JSON.parse(row.plan);
      return {
        id: row.id,
        cluster: row.cluster,
        type: row.type,
        target: plan.target,
        actor: row.actor,
        at: new Date(row.at).toISOString(),
        plan,
        outcome: row.outcome,
        error: row.error ?? undefined,
      };
    });
  }
}
