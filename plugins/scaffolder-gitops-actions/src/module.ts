import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createCheckProjectAction } from './actions/checkProject';
import { createFluxResourcesAction } from './actions/createFluxResources';
import { createManifestsAction } from './actions/createManifests';
import { createWaitForFluxAction } from './actions/waitForFlux';

/**
 * Registers the GitOps project-initialization actions with the scaffolder.
 *
 * @public
 */
export const gitopsScaffolderModule = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'gitops',
  register({ registerInit }) {
    registerInit({
      deps: {
        scaffolderActions: scaffolderActionsExtensionPoint,
        config: coreServices.rootConfig,
        permissions: coreServices.permissions,
        userInfo: coreServices.userInfo,
        catalog: catalogServiceRef,
      },
      async init({
        scaffolderActions,
        config,
        permissions,
        userInfo,
        catalog,
      }) {
        scaffolderActions.addActions(
          createCheckProjectAction({ config, catalog, permissions, userInfo }),
          createManifestsAction(),
          createFluxResourcesAction({ config, catalog, permissions }),
          createWaitForFluxAction({ config }),
        );
      },
    });
  },
});
