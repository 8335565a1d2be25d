import vm from 'node:vm';
import { retryingIdleSocket } from './idleSocketRetry';

const closed = () =>
  Object.assign(new TypeError('fetch failed'), {
    cause: Object.assign(new Error('other side closed'), {
      code: 'UND_ERR_SOCKET',
    }),
  });

describe('retryingIdleSocket', () => {
  it('sends a request once more when the server closed the idle socket', async () => {
    const fake = jest
      .fn()
      .mockRejectedValueOnce(closed())
      .mockResolvedValueOnce(new Response('ok'));
    const response = await retryingIdleSocket(fake)('http://portal/api', {
      method: 'POST',
      body: '{"a":1}',
    });
    expect(await response.text()).toBe('ok');
    expect(fake).toHaveBeenCalledTimes(2);
  });

  it("recognizes the error thrown from Node's own realm, not the test's", async () => {
    // What the e2e files meet: undici's TypeError is not Jest's TypeError.
    const foreign = vm.runInNewContext(
      `Object.assign(new TypeError('fetch failed'), {
        cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }),
      })`,
    );
    expect(foreign instanceof TypeError).toBe(false);
    const fake = jest
      .fn()
      .mockRejectedValueOnce(foreign)
      .mockResolvedValueOnce(new Response('ok'));
    const response = await retryingIdleSocket(fake)('http://portal/api');
    expect(await response.text()).toBe('ok');
    expect(fake).toHaveBeenCalledTimes(2);
  });

  it('does not resend on other errors, twice, or with a body it cannot replay', async () => {
    const refused = Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error('connect ECONNREFUSED'), {
        code: 'ECONNREFUSED',
      }),
    });
    const once = jest.fn().mockRejectedValue(refused);
    await expect(retryingIdleSocket(once)('http://portal/')).rejects.toBe(
      refused,
    );
    expect(once).toHaveBeenCalledTimes(1);

    const always = jest.fn().mockRejectedValue(closed());
    await expect(retryingIdleSocket(always)('http://portal/')).rejects.toThrow(
      'fetch failed',
    );
    expect(always).toHaveBeenCalledTimes(2);

    const streamed = jest.fn().mockRejectedValue(closed());
    await expect(
      retryingIdleSocket(streamed)('http://portal/', {
        method: 'POST',
        body: new ReadableStream(),
      }),
    ).rejects.toThrow('fetch failed');
    expect(streamed).toHaveBeenCalledTimes(1);
  });

  it('sends a read once more on a reset socket, not a write, and says why it failed', async () => {
    const reset = () =>
      Object.assign(new TypeError('fetch failed'), {
        cause: Object.assign(new Error('read ECONNRESET'), {
          code: 'ECONNRESET',
        }),
      });
    const read = jest
      .fn()
      .mockRejectedValueOnce(reset())
      .mockResolvedValueOnce(new Response('ok'));
    const response = await retryingIdleSocket(read)('http://portal/api');
    expect(await response.text()).toBe('ok');
    expect(read).toHaveBeenCalledTimes(2);

    const write = jest.fn().mockRejectedValue(reset());
    await expect(
      retryingIdleSocket(write)('http://portal/api', {
        method: 'POST',
        body: '{}',
      }),
    ).rejects.toThrow('fetch failed (ECONNRESET read ECONNRESET)');
    expect(write).toHaveBeenCalledTimes(1);
  });
});
