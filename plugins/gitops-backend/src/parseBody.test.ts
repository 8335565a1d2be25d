import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { mockServices } from '@backstage/backend-test-utils';
import express from 'express';
import request from 'supertest';
import { jsonBody } from './parseBody';

function app() {
  const seen: unknown[] = [];
  const middleware = MiddlewareFactory.create({
    config: mockServices.rootConfig(),
    logger: mockServices.logger.mock(),
  });
  const server = express()
    .use(jsonBody())
    .post('/act', (req, res) => {
      seen.push(req.body);
      res.json({ ok: true });
    })
    .use(middleware.error());
  return { server, seen };
}

describe('jsonBody', () => {
  it('refuses a body of another content type instead of acting as if none was sent', async () => {
    const { server, seen } = app();
    for (const [type, body] of [
      ['text/plain', '{"withSource":"yes"}'],
      ['application/x-www-form-urlencoded', 'withSource=yes'],
    ]) {
      const response = await request(server)
        .post('/act')
        .set('Content-Type', type)
        .send(body);
      expect(response.status).toBe(400);
      expect(response.body.error.message).toBe(
        `Invalid request body: Content-Type must be application/json, not ${type}`,
      );
    }
    expect(seen).toEqual([]);
  });

  it('takes JSON bodies and requests without a body', async () => {
    const { server, seen } = app();
    expect(
      (await request(server).post('/act').send({ withSource: true })).status,
    ).toBe(200);
    expect((await request(server).post('/act')).status).toBe(200);
    expect(seen).toEqual([{ withSource: true }, {}]);
  });

  it('names the body when it is not JSON or too large', async () => {
    const { server } = app();
    const broken = await request(server)
      .post('/act')
      .set('Content-Type', 'application/json')
      .send('{"withSource":');
    expect(broken.status).toBe(400);
    expect(broken.body.error.message).toMatch(
      /^Invalid request body: not JSON/,
    );
    const huge = await request(server)
      .post('/act')
      .send({ reason: 'x'.repeat(70 * 1024) });
    expect(huge.status).toBe(400);
    expect(huge.body.error.message).toBe(
      'Invalid request body: larger than 64 KiB',
    );
  });
});
