import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import express from 'express';
import request from 'supertest';
import { createDiagnosticsRouter } from './router';
import { DiagnosticsService } from './DiagnosticsService';

function app(result: AuthorizeResult) {
  const apply = jest.fn(async () => ({ outcome: 'applied' }));
  const authorize = jest.fn(async (_requests: unknown[]) => [{ result }]);
  const diagnostics = {
    repairs: { apply, plan: jest.fn() },
  } as unknown as DiagnosticsService;
  const router = createDiagnosticsRouter({
    httpAuth: mockServices.httpAuth({
      defaultCredentials: mockCredentials.user(),
    }),
    permissions: { authorize } as any,
    diagnostics,
  });
  const middleware = MiddlewareFactory.create({
    config: mockServices.rootConfig(),
    logger: mockServices.logger.mock(),
  });
  const server = express()
    .use(express.json())
    .use(router)
    .use(middleware.error());
  return { server, apply, authorize };
}

const body = {
  cluster: 'local',
  type: 'restart-controller',
  target: {
    kind: 'Deployment',
    namespace: 'flux-system',
    name: 'helm-controller',
  },
};

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

  it('applies with the caller as actor when allowed', async () => {
    const { server, apply } = app(AuthorizeResult.ALLOW);
    const response = await request(server).post('/health/repairs').send(body);
    expect(response.status).toBe(200);
    expect(apply).toHaveBeenCalledWith(
      body,
      'user:default/mock',
      expect.anything(),
    );
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
});
