import { ConfigReader } from '@backstage/config';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { LoggerService } from '@backstage/backend-plugin-api';
import { withoutStackTraces } from './errorsWithoutStacks';

const silent: LoggerService = {
  error: () => {},
  warn: () => {},
  info: () => {},
  debug: () => {},
  child: () => silent,
};

type Middleware = (req: any, res: any, next: () => void) => void;

/** A response that records the JSON body it was sent. */
function recordingResponse() {
  const res: any = {
    headersSent: false,
    status: () => res,
    json: (body: unknown) => {
      res.body = body;
    },
  };
  return res;
}

/**
 * What a Backstage error handler answers a refusal (400) with, after the
 * app's middleware (if any) saw the response first.
 */
function answer(appMiddleware: Middleware[]) {
  const res = recordingResponse();
  const req = { method: 'GET', url: '/api/gitops/x' };
  for (const middleware of appMiddleware) middleware(req, res, () => {});
  // A plugin router's own handler, as the httpRouter service installs it.
  const pluginErrorHandler = MiddlewareFactory.create({
    config: new ConfigReader({}),
    logger: silent,
  }).error();
  const cause = Object.assign(new Error('the cause'), { name: 'Error' });
  const error = Object.assign(new Error('name: bad'), {
    name: 'InputError',
    statusCode: 400,
    cause,
  });
  pluginErrorHandler(error, req as any, res, () => {});
  return res.body;
}

describe('withoutStackTraces', () => {
  const nodeEnv = process.env.NODE_ENV;
  beforeEach(() => {
    process.env.NODE_ENV = 'development';
  });
  afterEach(() => {
    process.env.NODE_ENV = nodeEnv;
  });

  it("leaves the stack out of every error answer in development mode, a plugin router's included", () => {
    // Backstage's default in development: the stacks are in the answer.
    const plain = answer([]);
    expect(plain.error.stack).toEqual(
      expect.stringContaining('errorsWithoutStacks.test.ts'),
    );
    expect(plain.error.cause.stack).toBeDefined();

    const appMiddleware: Middleware[] = [];
    let defaultsApplied = false;
    withoutStackTraces({
      app: { use: (m: Middleware) => appMiddleware.push(m) } as any,
      applyDefaults: () => {
        defaultsApplied = true;
      },
    });
    expect(defaultsApplied).toBe(true);
    const body = answer(appMiddleware);
    expect(body.error).toEqual({
      name: 'InputError',
      message: 'name: bad',
      statusCode: 400,
      cause: { name: 'Error', message: 'the cause' },
    });
    expect(body.response).toEqual({ statusCode: 400 });
  });
});
