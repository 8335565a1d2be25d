import express from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { InFlightWork } from './InFlightWork';

/** A server whose one route answers when the test says so. */
async function serverWithHeldRoute() {
  const inFlight = new InFlightWork();
  const held: Array<() => void> = [];
  const app = express();
  app.use(inFlight.middleware());
  app.get('/held', (_req, res) => {
    held.push(() => res.json({ ok: true }));
  });
  const server = http.createServer(app);
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { inFlight, held, server, url };
}

async function until(condition: () => boolean) {
  while (!condition()) await new Promise(resolve => setTimeout(resolve, 5));
}

describe('InFlightWork', () => {
  it('settles at once when nothing is in flight', async () => {
    await expect(new InFlightWork().close(10_000)).resolves.toBe(0);
  });

  it('waits for the answers of requests in flight, then settles', async () => {
    const { inFlight, held, server, url } = await serverWithHeldRoute();
    try {
      const answers = [fetch(`${url}/held`), fetch(`${url}/held`)];
      await until(() => held.length === 2);
      expect(inFlight.count).toBe(2);

      let settledWith: number | undefined;
      const settling = inFlight.close(10_000).then(left => {
        settledWith = left;
      });
      held[0]();
      await (await answers[0]).json();
      await new Promise(resolve => setTimeout(resolve, 20));
      expect(settledWith).toBeUndefined();

      held[1]();
      await (await answers[1]).json();
      await settling;
      expect(settledWith).toBe(0);
    } finally {
      server.close();
    }
  });

  it('counts a request whose client went away as done', async () => {
    const { inFlight, held, server, url } = await serverWithHeldRoute();
    try {
      const aborted = new AbortController();
      const answer = fetch(`${url}/held`, { signal: aborted.signal });
      await until(() => held.length === 1);
      aborted.abort();
      await expect(answer).rejects.toThrow();
      await until(() => inFlight.count === 0);
      await expect(inFlight.close(10_000)).resolves.toBe(0);
    } finally {
      server.close();
    }
  });

  it('gives up at the timeout and says how many were left', async () => {
    const { inFlight, held, server, url } = await serverWithHeldRoute();
    try {
      const answer = fetch(`${url}/held`);
      await until(() => held.length === 1);
      await expect(inFlight.close(50)).resolves.toBe(1);
      held[0]();
      await answer;
    } finally {
      server.close();
    }
  });

  it('waits for a scheduled run in flight and skips the runs after shutdown began', async () => {
    const inFlight = new InFlightWork();
    let finishRun: () => void = () => {};
    const running = inFlight.run(
      () => new Promise<void>(resolve => (finishRun = resolve)),
    );
    let closedWith: number | undefined;
    const closing = inFlight.close(10_000).then(left => {
      closedWith = left;
    });
    const skipped = jest.fn(async () => {});
    await inFlight.run(skipped);
    expect(skipped).not.toHaveBeenCalled();
    await new Promise(resolve => setTimeout(resolve, 20));
    expect(closedWith).toBeUndefined();

    finishRun();
    await running;
    await closing;
    expect(closedWith).toBe(0);
  });

  it('counts a scheduled run that failed as done', async () => {
    const inFlight = new InFlightWork();
    await expect(
      inFlight.run(async () => {
        throw new Error('the cluster is gone');
      }),
    ).rejects.toThrow('the cluster is gone');
    await expect(inFlight.close(10_000)).resolves.toBe(0);
  });
});
