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

/** The JSON body the error handler answers a refusal (400) with. */
function answerOf(handler: ReturnType<MiddlewareFactory['error']>) {
  let body: any;
  const res: any = {
    headersSent: false,
    status: () => res,
    json: (json: unknown) => {
      body = json;
    },
  };
  handler(
    Object.assign(new Error('name: bad'), {
      name: 'InputError',
      statusCode: 400,
    }),
    { method: 'GET', url: '/x' } as any,
    res,
    () => {},
  );
  return body;
}

describe('withoutStackTraces', () => {
  const nodeEnv = process.env.NODE_ENV;
  beforeEach(() => {
    process.env.NODE_ENV = 'development';
  });
  afterEach(() => {
    process.env.NODE_ENV = nodeEnv;
  });

  const middleware = () =>
    MiddlewareFactory.create({ config: new ConfigReader({}), logger: silent });

  it('leaves the stack out of error answers in development mode', () => {
    // Backstage's default in development: the stack is in the answer.
    expect(answerOf(middleware().error()).error.stack).toEqual(
      expect.stringContaining('errorsWithoutStacks.test.ts'),
    );

    const configured = middleware();
    let handler: ReturnType<MiddlewareFactory['error']> | undefined;
    withoutStackTraces({
      middleware: configured,
      applyDefaults: () => {
        handler = configured.error();
      },
    });
    const body = answerOf(handler!);
    expect(body.error).toEqual({
      name: 'InputError',
      message: 'name: bad',
      statusCode: 400,
    });
    expect(body.response).toEqual({ statusCode: 400 });
  });
});
