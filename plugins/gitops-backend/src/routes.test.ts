import express from 'express';
import { GITOPS_ROUTES } from '@gitops-backstage/plugin-gitops-common';
import { createRouter, RouterOptions } from './router';
import { createDeployRouter, DeployRouterOptions } from './deploys/router';
import { createDiagnosticsRouter } from './diagnostics/router';

/** `METHOD /path` of every route an Express router registers. */
function registeredRoutes(router: express.Router): string[] {
  return router.stack.flatMap(layer => {
    const route = layer.route as
      | { path: string; methods: Record<string, boolean> }
      | undefined;
    if (!route) {
      return [];
    }
    return Object.keys(route.methods).map(
      method => `${method.toUpperCase()} ${route.path}`,
    );
  });
}

describe('the list of GitOps routes', () => {
  it('is exactly what the routers register, so the authorization matrix covers every route', async () => {
    // Registering routes reads no service: empty options suffice.
    const routers = [
      await createRouter({} as RouterOptions),
      createDeployRouter({} as DeployRouterOptions),
      createDiagnosticsRouter({} as any),
    ];
    const registered = routers.flatMap(registeredRoutes);
    expect([...registered].sort()).toEqual([...GITOPS_ROUTES].sort());
    expect(new Set(registered).size).toBe(registered.length);
  });
});
