import { Knex } from 'knex';
import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import {
  DeployMethod,
  DeployRecord,
  DeployStatus,
} from '@gitops-backstage/plugin-gitops-common';

const migrationsDir = resolvePackagePath(
  '@gitops-backstage/plugin-gitops-backend',
  'migrations',
);

const TABLE = 'gitops_deploys';

/** The Flux Kustomization a deploy goes through. */
export interface DeployTarget {
  cluster: string;
  namespace: string;
  kustomization: string;
}

export type NewDeploy = Omit<DeployRecord, 'id' | 'createdAt'> & {
  externalKey?: string;
  /** The replica pushing the deploy's commit; null once the push ended. */
  pushingReplica?: string | null;
};

/** The reason of a deploy whose replica stopped before its push ended. */
export const NEVER_PUSHED = 'PortalStopped';

/** A pending deploy's push, as the replica pushing it marked it. */
export interface PushInFlight {
  deploy: DeployRecord;
  replica: string;
  /** The replica's last heartbeat as written; absent once it left. */
  heartbeat?: string;
}

export interface DeployQuery {
  entityRef?: string;
  /** With entityRef: only its rows recorded for this repository (or for none). */
  entityRepository?: string;
  targets?: DeployTarget[];
  environment?: string;
  method?: DeployMethod;
  status?: DeployStatus[];
  /** Only rows recorded before this one (a lower id). */
  before?: number;
  /** Only rows that made a commit. */
  withCommit?: boolean;
  limit?: number;
}

/**
 * The deploy history in the plugin's database. Rows of Git-based deploys
 * are unique per Kustomization and commit, and detected cluster changes per
 * external key: a second replica inserting the same deploy changes nothing.
 */
export class DeployStore {
  static async create(database: DatabaseService): Promise<DeployStore> {
    const client = await database.getClient();
    if (!database.migrations?.skip) {
      await DeployStore.migrate(client);
    }
    return new DeployStore(client);
  }

  /** The plugin's migrations (shared with the diagnostics tables). */
  static async migrate(client: Knex): Promise<void> {
    await client.migrate.latest({
      directory: migrationsDir,
      tableName: 'gitops_knex_migrations',
    });
  }

  constructor(private readonly db: Knex) {}

  /** Inserts a deploy; undefined when an equal one is recorded already. */
  async insert(deploy: NewDeploy): Promise<DeployRecord | undefined> {
    const rows = await this.db(TABLE)
      .insert({ ...toRow(deploy), created_at: new Date() })
      .onConflict()
      .ignore()
      .returning('*');
    return rows[0] ? fromRow(rows[0]) : undefined;
  }

  async get(id: number): Promise<DeployRecord | undefined> {
    const row = await this.db(TABLE).where({ id }).first();
    return row ? fromRow(row) : undefined;
  }

  async findByCommit(
    target: DeployTarget,
    commitSha: string,
  ): Promise<DeployRecord | undefined> {
    const row = await this.db(TABLE)
      .where({ ...target, commit_sha: commitSha })
      .first();
    return row ? fromRow(row) : undefined;
  }

  /**
   * Updates a deploy only while it is in one of the given states, so a
   * replica that saw an older state cannot undo another's update.
   */
  async update(
    id: number,
    from: DeployStatus[],
    changes: Partial<NewDeploy>,
  ): Promise<boolean> {
    const count = await this.db(TABLE)
      .where({ id })
      .whereIn('status', from)
      .update(toRow(changes));
    return count > 0;
  }

  /** Turns a recorded deploy of a commit into the pipeline's deploy. */
  async claimForPipeline(
    target: DeployTarget,
    commitSha: string,
    changes: Partial<NewDeploy>,
  ): Promise<DeployRecord | undefined> {
    await this.db(TABLE)
      .where({ ...target, commit_sha: commitSha })
      .whereIn('method', ['gitops-git', 'pipeline'])
      .update(toRow({ ...changes, method: 'pipeline' }));
    return this.findByCommit(target, commitSha);
  }

  /**
   * Pending deploys a replica is pushing, with that replica's last
   * heartbeat as it wrote it (absent once it left). Whether it is silent is
   * judged by whoever reads, on its own clock: clocks of replicas differ.
   */
  async pushesInFlight(): Promise<PushInFlight[]> {
    const rows = await this.db(TABLE)
      .select(`${TABLE}.*`, 'gitops_replicas.heartbeat_at as replica_heartbeat')
      .leftJoin('gitops_replicas', 'gitops_replicas.id', 'pushing_replica')
      .where('status', 'pending')
      .whereNotNull('pushing_replica')
      .orderBy(`${TABLE}.id`)
      .limit(100);
    return rows.map(row => ({
      deploy: fromRow(row),
      replica: String(row.pushing_replica),
      heartbeat:
        row.replica_heartbeat === null || row.replica_heartbeat === undefined
          ? undefined
          : toIso(row.replica_heartbeat),
    }));
  }

  /**
   * Updates a deploy only while it is pending, marked as pushed by
   * `push.replica` at `push.commitSha`: a push that ended, a rebase onto
   * another commit, or a settlement by another run all change that.
   */
  async updatePushInFlight(
    id: number,
    push: { replica: string; commitSha: string },
    changes: Partial<NewDeploy>,
  ): Promise<boolean> {
    const count = await this.db(TABLE)
      .where({
        id,
        status: 'pending',
        pushing_replica: push.replica,
        commit_sha: push.commitSha,
      })
      .update(toRow(changes));
    return count > 0;
  }

  /** Opens again a deploy settled as never pushed whose push went through. */
  async reopenNeverPushed(id: number): Promise<boolean> {
    const count = await this.db(TABLE)
      .where({ id, status: 'failed', reason: NEVER_PUSHED })
      .update({
        status: 'pending',
        reason: null,
        message: null,
        finished_at: null,
        pushing_replica: null,
      });
    return count > 0;
  }

  async remove(id: number): Promise<void> {
    await this.db(TABLE).where({ id }).delete();
  }

  async list(query: DeployQuery): Promise<DeployRecord[]> {
    const builder = this.db(TABLE)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(Math.min(query.limit ?? 100, 500));
    if (query.entityRef || query.targets) {
      builder.where(outer => {
        if (query.entityRef) {
          const { entityRef, entityRepository } = query;
          outer.orWhere(own => {
            own.where('entity_ref', entityRef);
            if (entityRepository) {
              own.where(bound =>
                bound
                  .whereNull('entity_repository')
                  .orWhere('entity_repository', entityRepository),
              );
            }
          });
        }
        for (const target of query.targets ?? []) {
          outer.orWhere(inner => inner.where({ ...target }));
        }
      });
    }
    if (query.environment) {
      builder.where('environment', query.environment);
    }
    if (query.method) {
      builder.where('method', query.method);
    }
    if (query.status) {
      builder.whereIn('status', query.status);
    }
    if (query.before !== undefined) {
      builder.where('id', '<', query.before);
    }
    if (query.withCommit) {
      builder.whereNotNull('commit_sha');
    }
    return (await builder).map(fromRow);
  }
}

function toRow(deploy: Partial<NewDeploy>): Record<string, unknown> {
  const row: Record<string, unknown> = {
    entity_ref: deploy.entityRef,
    entity_repository: deploy.entityRepository,
    environment: deploy.environment,
    cluster: deploy.cluster,
    namespace: deploy.namespace,
    kustomization: deploy.kustomization,
    method: deploy.method,
    status: deploy.status,
    reason: deploy.reason,
    message: deploy.message,
    revision: deploy.revision,
    commit_sha: deploy.commitSha,
    commit_message: deploy.commitMessage,
    commit_author: deploy.commitAuthor,
    commit_url: deploy.commitUrl,
    triggered_by: deploy.triggeredBy,
    pipeline_url: deploy.pipelineUrl,
    rollback_of: deploy.rollbackOf,
    details: deploy.details ? JSON.stringify(deploy.details) : undefined,
    external_key: deploy.externalKey,
    pushing_replica: deploy.pushingReplica,
    finished_at: deploy.finishedAt ? new Date(deploy.finishedAt) : undefined,
  };
  return Object.fromEntries(
    Object.entries(row).filter(([, value]) => value !== undefined),
  );
}

function fromRow(row: any): DeployRecord {
  const optional = (value: unknown) =>
    value === null || value === undefined ? undefined : value;
  return Object.fromEntries(
    Object.entries({
      id: Number(row.id),
      entityRef: optional(row.entity_ref),
      entityRepository: optional(row.entity_repository),
      environment: row.environment,
      cluster: row.cluster,
      namespace: row.namespace,
      kustomization: row.kustomization,
      method: row.method,
      status: row.status,
      reason: optional(row.reason),
      message: optional(row.message),
      revision: optional(row.revision),
      commitSha: optional(row.commit_sha),
      commitMessage: optional(row.commit_message),
      commitAuthor: optional(row.commit_author),
      commitUrl: optional(row.commit_url),
      triggeredBy: row.triggered_by,
      pipelineUrl: optional(row.pipeline_url),
      rollbackOf:
        row.rollback_of === null || row.rollback_of === undefined
          ? undefined
          : Number(row.rollback_of),
      details: row.details ? JSON.parse(row.details) : undefined,
      createdAt: toIso(row.created_at),
      finishedAt: row.finished_at ? toIso(row.finished_at) : undefined,
    }).filter(([, value]) => value !== undefined),
  ) as unknown as DeployRecord;
}

function toIso(value: unknown): string {
  if (value instanceof Date) {
    return value.toISOString();
  }
  // SQLite hands back epoch milliseconds or a string.
  return new Date(
    typeof value === 'number' ? value : String(value),
  ).toISOString();
}
