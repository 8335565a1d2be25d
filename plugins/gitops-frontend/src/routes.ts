import { createRouteRef, createSubRouteRef } from '@backstage/core-plugin-api';

/** The GitOps page. */
export const rootRouteRef = createRouteRef({ id: 'gitops' });

/** The page's health tab; `?code=` narrows it to one error code. */
export const healthRouteRef = createSubRouteRef({
  id: 'gitops/health',
  parent: rootRouteRef,
  path: '/health',
});

/** The page's dependsOn graphs, one per cluster. */
export const dependenciesRouteRef = createSubRouteRef({
  id: 'gitops/dependencies',
  parent: rootRouteRef,
  path: '/dependencies',
});
