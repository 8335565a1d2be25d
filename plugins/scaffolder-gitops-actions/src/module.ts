import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
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
      },
      async init({ scaffolderActions, config, permissions }) {
        scaffolderActions.addActions(
          createManifestsAction(),
          createFluxResourcesAction({ config, permissions }),
          createWaitForFluxAction({ config }),
        );
      },
    });
  },
});
