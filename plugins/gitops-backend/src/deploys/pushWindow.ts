import { ConflictError } from '@backstage/errors';

/**
 * How long a deploy keeps pushing while its branch moves under it. A
 * count alone gives up during a burst of outside pushes (a CI job
 * committing several services at once) when each fetch and rebase takes
 * longer than the gap between their pushes; a window outlasts the burst
 * and still ends well inside an HTTP request's time.
 */
export const PUSH_WINDOW = { attempts: 5, ms: 60_000 };

/**
 * Called after push `attempt` lost the race: waits a short random pause
 * (two pushers that keep rejecting each other fall out of step), or
 * gives up once the window is over.
 */
export async function beforeNextPush(
  attempt: number,
  startedAt: number,
  branch: string,
): Promise<void> {
  if (
    attempt >= PUSH_WINDOW.attempts &&
    Date.now() - startedAt >= PUSH_WINDOW.ms
  ) {
    throw new ConflictError(
      `${branch} kept moving during ${attempt} push attempts; nothing was pushed, try again`,
    );
  }
  const ceiling = Math.min(1_000, 50 * 2 ** Math.min(attempt, 5));
  await new Promise(resolve =>
    setTimeout(resolve, Math.round(Math.random() * ceiling)),
  );
}
