import { randomUUID } from 'node:crypto';
import { Knex } from 'knex';
import { LoggerService } from '@backstage/backend-plugin-api';

const TABLE = 'gitops_replicas';

/** How often a replica says it is alive. */
export const HEARTBEAT_INTERVAL_MS = 5_000;

/**
 * A replica silent for this long has stopped: a process that was killed
 * (SIGKILL, the node lost) never says so. Well above the interval, so a
 * busy event loop or a slow database is not taken for a stopped process.
 */
export const REPLICA_SILENT_MS = 30_000;

/** Rows of replicas killed long ago, which never removed their own. */
const FORGET_AFTER_MS = 24 * 60 * 60_000;

/**
 * This process's row in the table of replicas sharing the plugin's
 * database: written every few seconds while it runs, removed when it shuts
 * down after its work in flight.
 */
export class ReplicaHeartbeat {
  readonly id = randomUUID();
  #timer: NodeJS.Timeout | undefined;
  #beating: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Knex,
    private readonly logger: LoggerService,
    private readonly intervalMs = HEARTBEAT_INTERVAL_MS,
  ) {}

  async start(): Promise<void> {
    await this.beat();
    this.#timer = setInterval(() => {
      this.#beating = this.beat().catch(error =>
        this.logger.warn(`replica heartbeat failed: ${error}`),
      );
    }, this.intervalMs);
    this.#timer.unref();
  }

  async beat(): Promise<void> {
    const now = new Date();
    await this.db(TABLE)
      .insert({ id: this.id, heartbeat_at: now })
      .onConflict('id')
      .merge();
    await this.db(TABLE)
      .where('heartbeat_at', '<', new Date(now.getTime() - FORGET_AFTER_MS))
      .delete();
  }

  /**
   * Stops beating. Its row goes when nothing is left in flight: deploys it
   * still marks are then settled at once; with work left unfinished they
   * wait until it has been silent long enough.
   */
  async stop(options: { unfinished: number }): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    // A beat under way would write the row again after the delete.
    await this.#beating;
    if (options.unfinished === 0) {
      await this.db(TABLE).where({ id: this.id }).delete();
    }
  }
}
