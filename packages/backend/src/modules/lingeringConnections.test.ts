import http from 'node:http';
import { AddressInfo } from 'node:net';
import type { LoggerService } from '@backstage/backend-plugin-api';
import { closeLingeringConnections } from './lingeringConnections';

/** A server whose /hang requests are never answered, as a long poll. */
async function serverWithHangingRequest() {
  const server = http.createServer((req, res) => {
    if (req.url !== '/hang') res.end('ok');
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const request = http.get(`http://127.0.0.1:${port}/hang`);
  const cut = new Promise<string>(resolve => {
    request.on('error', error => resolve(String(error)));
    request.on('response', () => resolve('answered'));
  });
  // Wait until the server holds the request.
  await new Promise(resolve => server.once('request', resolve));
  return { server, cut };
}

const fakeLogger = () =>
  ({ info: jest.fn(), warn: jest.fn() } as unknown as LoggerService & {
    info: jest.Mock;
  });

describe('closeLingeringConnections', () => {
  it('cuts a request still open after the linger time, so the server closes', async () => {
    const { server, cut } = await serverWithHangingRequest();
    const logger = fakeLogger();
    const closed = new Promise(resolve => server.close(resolve));
    const started = Date.now();
    await closeLingeringConnections(server, logger, 200);
    await closed;
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(await cut).toMatch(/socket hang up|ECONNRESET/);
    expect(logger.info).toHaveBeenCalledWith(
      'Closing the HTTP connections still open 200 ms into shutdown (long polls)',
    );
  });

  it('does nothing when the server closes in time', async () => {
    const server = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const logger = fakeLogger();
    const closing = closeLingeringConnections(server, logger, 10_000);
    server.close();
    const started = Date.now();
    await closing;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(logger.info).not.toHaveBeenCalled();
  });
});
