import type { RequestHandler } from 'express';

/**
 * The plugin's requests still being answered and its scheduled runs still
 * going. Backstage runs plugin shutdown hooks before it closes the HTTP
 * server and then the database, all at once: a deploy still pushing would
 * lose its workspace, its watchers and its history row, and a scheduled
 * run cut off there would keep the scheduler's lock of its task until the
 * lock times out. Shutdown closes this and waits for both first; new
 * requests are already refused by then (503, Backstage's lifecycle
 * middleware), new scheduled runs are skipped here.
 */
export class InFlightWork {
  #count = 0;
  #closed = false;
  #onIdle: Array<() => void> = [];

  #start(): () => void {
    this.#count += 1;
    let finished = false;
    return () => {
      if (finished) return;
      finished = true;
      this.#count -= 1;
      if (this.#count === 0) this.#onIdle.splice(0).forEach(wake => wake());
    };
  }

  /** Counts each request from its start until its answer is sent or dropped. */
  middleware(): RequestHandler {
    return (_req, res, next) => {
      const finish = this.#start();
      res.once('finish', finish);
      res.once('close', finish);
      next();
    };
  }

  /** Runs a scheduled task's work, unless shutdown began: then it skips it. */
  async run(work: () => Promise<void>): Promise<void> {
    if (this.#closed) return;
    const finish = this.#start();
    try {
      await work();
    } finally {
      finish();
    }
  }

  get count(): number {
    return this.#count;
  }

  /**
   * Skips scheduled runs from now on; resolves with the number still in
   * flight: 0, or what was left at the timeout.
   */
  async close(timeoutMs: number): Promise<number> {
    this.#closed = true;
    if (this.#count === 0) return 0;
    await new Promise<void>(resolve => {
      const timer = setTimeout(resolve, timeoutMs);
      this.#onIdle.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    return this.#count;
  }
}
