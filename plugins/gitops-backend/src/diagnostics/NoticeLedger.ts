import { createHash } from 'node:crypto';
import { Knex } from 'knex';

const TABLE = 'gitops_notices';

/** Long past any replica seeing the same transition late. */
const KEEP_MS = 7 * 24 * 60 * 60_000;

/**
 * The notices sent, in the plugin's database: every replica watches the
 * clusters and sees the same transition, and the first to claim it sends.
 */
export class NoticeLedger {
  constructor(private readonly db: Knex) {}

  /** True for the first claim of a notice, false for every later one. */
  async claim(notice: string): Promise<boolean> {
    const now = new Date();
    await this.db(TABLE)
      .where('created_at', '<', new Date(now.getTime() - KEEP_MS))
      .delete();
    const rows = await this.db(TABLE)
      .insert({
        id: idOf(notice),
        created_at: now,
      })
      .onConflict('id')
      .ignore()
      .returning('id');
    return rows.length > 0;
  }

  async release(notice: string): Promise<void> {
    await this.db(TABLE)
      .where({ id: idOf(notice) })
      .delete();
  }
}

function idOf(notice: string): string {
  return createHash('sha256').update(notice).digest('hex');
}
