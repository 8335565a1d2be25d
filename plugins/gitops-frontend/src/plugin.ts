import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { gitopsApiRef, GitOpsClient } from './api';
import { dependenciesRouteRef, healthRouteRef, rootRouteRef } from './routes';

/**
 * The GitOps plugin for apps on the legacy frontend system.
 *
 * @public
 */
export const gitopsPlugin = createPlugin({
  id: 'gitops',
  apis: [
    createApiFactory({
      api: gitopsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new GitOpsClient(deps),
    }),
  ],
  routes: {
    root: rootRouteRef,
    health: healthRouteRef,
    dependencies: dependenciesRouteRef,
  },
});

/**
 * The GitOps tab for the entity page (legacy frontend system).
 *
 * @public
 */
export const EntityGitOpsContent: () => JSX.Element = gitopsPlugin.provide(
  createComponentExtension({
    name: 'EntityGitOpsContent',
    component: {
      lazy: () =>
        import('./components/EntityGitOpsContent').then(
          m => m.EntityGitOpsContent,
        ),
    },
  }),
);

/**
 * The portal-wide GitOps page (legacy frontend system).
 *
 * @public
 */
export const GitOpsPage: () => JSX.Element = gitopsPlugin.provide(
  createRoutableExtension({
    name: 'GitOpsPage',
    component: () => import('./components/GitOpsPage').then(m => m.GitOpsPage),
    mountPoint: rootRouteRef,
  }),
);
