import { RootHttpRouterConfigureContext } from '@backstage/backend-defaults/rootHttpRouter';

/**
 * Backstage's error handlers (the root one and each plugin router's own)
 * put the stack trace into every error answer when NODE_ENV is development
 * (`yarn start`). Error answers reach every signed-in user, and a stack
 * names the portal's files and libraries: every JSON answer leaves here
 * without one, whichever handler wrote it; the defaults stay as they are.
 */
export function withoutStackTraces({
  app,
  applyDefaults,
}: Pick<RootHttpRouterConfigureContext, 'app' | 'applyDefaults'>) {
  app.use((_req, res, next) => {
    const json = res.json.bind(res);
    res.json = (body: unknown) => json(withoutStacks(body));
    next();
  });
  applyDefaults();
}

/** An error answer (Backstage's ErrorResponseBody) without stack traces. */
export function withoutStacks(body: unknown): unknown {
  if (!isObject(body) || !isObject(body.error)) {
    return body;
  }
  return { ...body, error: errorWithoutStack(body.error) };
}

function errorWithoutStack(
  error: Record<string, unknown>,
): Record<string, unknown> {
  const { stack: _stack, cause, ...rest } = error;
  return isObject(cause) ? { ...rest, cause: errorWithoutStack(cause) } : rest;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
