import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { gitopsPermissions } from '@gitops-backstage/plugin-gitops-common';
import { readClusterDetails } from '@gitops-backstage/plugin-gitops-node';
import { createRouter } from './router';

/**
 * The GitOps backend plugin: Flux state, actions, deploys and diagnostics.
 *
 * @public
 */
export const gitopsPlugin = createBackendPlugin({
  pluginId: 'gitops',
  register(env) {
    env.registerInit({
      deps: {
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        rootConfig: coreServices.rootConfig,
        permissionsRegistry: coreServices.permissionsRegistry,
      },
      async init({ httpAuth, httpRouter, rootConfig, permissionsRegistry }) {
        permissionsRegistry.addPermissions(gitopsPermissions);
        const clusters = readClusterDetails(rootConfig);
        httpRouter.use(await createRouter({ httpAuth, clusters }));
      },
    });
  },
});
