import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import express from 'express';
import request from 'supertest';
import { createDiagnosticsRouter } from './router';
import { DiagnosticsService } from './DiagnosticsService';
import { fakeClients, FakeClusterClient } from '../__testUtils__/fakeCluster';
import { auditWith } from '../__testUtils__/routerFixture';

function app(
  result: AuthorizeResult,
  defaultCredentials: BackstageCredentials = mockCredentials.user(),
) {
  const apply = jest.fn(async () => ({
    outcome: 'applied',
    plan: {
      steps: [
        {
          action: 'patch',
          object: {
            kind: 'Deployment',
            namespace: 'flux-system',
            name: 'helm-controller',
          },
        },
      ],
    },
  }));
  const client = new FakeClusterClient();
  const { audit, outcomes } = auditWith(fakeClients(client));
  const plan = jest.fn(async () => ({ actions: [] }));
  const run = jest.fn(async () => []);
  const reports = jest.fn(async () => []);
  const authorize = jest.fn(async (_requests: unknown[]) => [{ result }]);
  const diagnostics = {
    repairs: { apply, plan },
    run,
    reports,
  } as unknown as DiagnosticsService;
  const router = createDiagnosticsRouter({
    httpAuth: mockServices.httpAuth({ defaultCredentials }),
    permissions: { authorize } as any,
    diagnostics,
    audit,
  });
  const middleware = MiddlewareFactory.create({
    config: mockServices.rootConfig(),
    logger: mockServices.logger.mock(),
  });
  const server = express()
    .use(express.json())
    .use(router)
    .use(middleware.error());
  return { server, apply, plan, run, reports, authorize, client, outcomes };
}

const planBody = {
  cluster: 'local',
  type: 'restart-controller',
  target: {
    kind: 'Deployment',
    namespace: 'flux-system',
    name: 'helm-controller',
  },
};
const body = { ...planBody, planDigest: 'a'.repeat(64) };

describe('diagnostics router', () => {
  it('asks the permission of the repair type and applies nothing when denied', async () => {
    const { server, apply, authorize } = app(AuthorizeResult.DENY);
    const response = await request(server).post('/health/repairs').send(body);
    expect(response.status).toBe(403);
    expect(authorize.mock.calls[0][0]).toEqual([
      {
        permission: expect.objectContaining({
          name: 'gitops.health.repair.restart-controller',
        }),
      },
    ]);
    expect(apply).not.toHaveBeenCalled();
  });

  it('applies with the caller as actor when allowed, and records it as an event', async () => {
    const { server, apply, client, outcomes } = app(AuthorizeResult.ALLOW);
    const response = await request(server).post('/health/repairs').send(body);
    expect(response.status).toBe(200);
    expect(apply).toHaveBeenCalledWith(
      body,
      'user:default/mock',
      expect.anything(),
    );
    expect(client.callsOf('createEvent').map(([e]) => e)).toEqual([
      expect.objectContaining({
        involvedObject: expect.objectContaining({
          kind: 'Deployment',
          namespace: 'flux-system',
          name: 'helm-controller',
        }),
        reason: 'GitOpsPortalRepair',
        message: 'repair by user:default/mock: restart-controller',
      }),
    ]);
    expect(outcomes).toEqual([{ eventId: 'repair', outcome: 'success' }]);
  });

  it('answers 400 naming the wrong field', async () => {
    const { server, apply } = app(AuthorizeResult.ALLOW);
    const response = await request(server)
      .post('/health/repairs')
      .send({ ...body, target: { kind: 'Deployment' } });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toMatch(/target\.name/);
    expect(apply).not.toHaveBeenCalled();
  });

  it('refuses service tokens and missing tokens on every mutation, asking nothing', async () => {
    for (const credentials of [
      mockCredentials.service(),
      mockCredentials.none(),
    ]) {
      const { server, apply, plan, run, authorize } = app(
        AuthorizeResult.ALLOW,
        credentials,
      );
      for (const [path, payload] of [
        ['/health/run', { cluster: 'local' }],
        ['/health/repairs/plan', planBody],
        ['/health/repairs', body],
      ] as const) {
        const response = await request(server).post(path).send(payload);
        expect([401, 403]).toContain(response.status);
      }
      expect(authorize).not.toHaveBeenCalled();
      expect(apply).not.toHaveBeenCalled();
      expect(plan).not.toHaveBeenCalled();
      expect(run).not.toHaveBeenCalled();
    }
  });

  it('runs a health check and plans a repair only with their permissions', async () => {
    const denied = app(AuthorizeResult.DENY);
    const run = await request(denied.server)
      .post('/health/run')
      .send({ cluster: 'local' });
    expect(run.status).toBe(403);
    const plan = await request(denied.server)
      .post('/health/repairs/plan')
      .send(planBody);
    expect(plan.status).toBe(403);
    expect(denied.authorize.mock.calls.map(c => c[0])).toEqual([
      [{ permission: expect.objectContaining({ name: 'gitops.health.run' }) }],
      [
        {
          permission: expect.objectContaining({
            name: 'gitops.health.repair.restart-controller',
          }),
        },
      ],
    ]);
    expect(denied.run).not.toHaveBeenCalled();
    expect(denied.plan).not.toHaveBeenCalled();

    const allowed = app(AuthorizeResult.ALLOW);
    expect(
      (
        await request(allowed.server)
          .post('/health/run')
          .send({ cluster: 'local' })
      ).status,
    ).toBe(200);
    expect(allowed.run).toHaveBeenCalledWith(
      'local',
      'manual',
      'user:default/mock',
    );
    expect(
      (
        await request(allowed.server)
          .post('/health/repairs/plan')
          .send(planBody)
      ).status,
    ).toBe(200);
    const badRun = await request(allowed.server)
      .post('/health/run')
      .send({ cluster: 7 });
    expect(badRun.status).toBe(400);
    expect(badRun.body.error.message).toMatch(/cluster/);
  });

  it('reads reports with a limit of 1 to 50 and answers 400 naming a wrong one', async () => {
    const { server, reports } = app(AuthorizeResult.ALLOW);
    const path = '/health/clusters/local/reports';
    expect((await request(server).get(path)).status).toBe(200);
    expect((await request(server).get(`${path}?limit=5`)).status).toBe(200);
    expect(reports.mock.calls).toEqual([
      ['local', 20],
      ['local', 5],
    ]);
    for (const query of [
      'limit=abc',
      'limit=0',
      'limit=51',
      'limit=1.5',
      'limit[]=5',
    ]) {
      const response = await request(server).get(`${path}?${query}`);
      expect({ query, status: response.status }).toEqual({
        query,
        status: 400,
      });
      expect(response.body.error.message).toMatch(/limit: /);
    }
    const extra = await request(server).get(`${path}?since=yesterday`);
    expect(extra.status).toBe(400);
    expect(extra.body.error.message).toMatch(/since/);
    expect(reports).toHaveBeenCalledTimes(2);
  });
});
