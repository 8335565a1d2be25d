import type { Server } from 'node:http';
import type { LoggerService } from '@backstage/backend-plugin-api';

/** How long the server may wait for its last connections once plugins stopped. */
export const LINGER_MS = 5_000;

/**
 * By the root shutdown every plugin has stopped (the GitOps plugin after
 * its requests in flight), but the events backend's long polls (up to
 * 55 s each, the backend polling itself) keep the HTTP server from closing:
 * without this the process was still running 75 s after SIGTERM. What is
 * still open a few seconds later is cut.
 */
export async function closeLingeringConnections(
  server: Server,
  logger: LoggerService,
  lingerMs = LINGER_MS,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    new Promise<'closed'>(resolve =>
      server.once('close', () => resolve('closed')),
    ),
    new Promise<'lingering'>(resolve => {
      timer = setTimeout(() => resolve('lingering'), lingerMs);
    }),
  ]);
  clearTimeout(timer);
  if (outcome === 'lingering') {
    logger.info(
      `Closing the HTTP connections still open ${lingerMs} ms into shutdown (long polls)`,
    );
    server.closeAllConnections();
  }
}
