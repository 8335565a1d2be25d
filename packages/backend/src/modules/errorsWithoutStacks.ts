import {
  rootHttpRouterServiceFactory,
  RootHttpRouterConfigureContext,
} from '@backstage/backend-defaults/rootHttpRouter';

/**
 * Backstage's error handler puts the stack trace into every error answer
 * when NODE_ENV is development (`yarn start`). Error answers reach every
 * signed-in user, and a stack names the portal's files and libraries: the
 * handler stays Backstage's own, with its other defaults, told never to.
 */
export function withoutStackTraces({
  middleware,
  applyDefaults,
}: Pick<RootHttpRouterConfigureContext, 'middleware' | 'applyDefaults'>) {
  const errorHandler = middleware.error.bind(middleware);
  middleware.error = options =>
    errorHandler({ ...options, showStackTraces: false });
  applyDefaults();
}

export default rootHttpRouterServiceFactory({ configure: withoutStackTraces });
