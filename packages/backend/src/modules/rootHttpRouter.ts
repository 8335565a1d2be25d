import { rootHttpRouterServiceFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { withoutStackTraces } from './errorsWithoutStacks';
import { closeLingeringConnections } from './lingeringConnections';

/**
 * Backstage's root HTTP router with two changes: error answers leave
 * without stack traces, and the connections that still linger a few
 * seconds into shutdown (the events backend's long polls) are cut, so
 * SIGTERM ends the process.
 */
export default rootHttpRouterServiceFactory({
  configure(context) {
    withoutStackTraces(context);
    context.lifecycle.addShutdownHook(() =>
      closeLingeringConnections(context.server, context.logger),
    );
  },
});
