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
      .orderBy('finished_at', 'desc')
      .offset(KEEP_REPORTS)
      .pluck('id');
    if (old.length > 0) {
      await this.db('gitops_health_reports').whereIn('id', old).delete();
    }
  }

  /** The newest report of each cluster. */
  async latestReports(): Promise<HealthReport[]> {
    const newest = this.db('gitops_health_reports')
      .select('cluster')
      .max({ finished_at: 'finished_at' })
      .groupBy('cluster')
      .as('newest');
    const rows = await this.db('gitops_health_reports as r')
      .join(newest, function join() {
        this.on('r.cluster', '=', 'newest.cluster').andOn(
          'r.finished_at',
          '=',
          'newest.finished_at',
        );
      })
      .select('r.report');
    return rows.map(row => JSON.parse(row.report));
  }

  async reports(cluster: string, limit: number): Promise<HealthReport[]> {
    const rows = await this.db('gitops_health_reports')
      .where({ cluster })
      .orderBy('finished_at', 'desc')
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
