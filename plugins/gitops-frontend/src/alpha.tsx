import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { isGitOpsAvailable } from '@gitops-backstage/plugin-gitops-common';
import SyncIcon from '@material-ui/icons/Sync';
import { gitopsApiRef, GitOpsClient } from './api';
import { dependenciesRouteRef, healthRouteRef, rootRouteRef } from './routes';

const gitopsApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: gitopsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new GitOpsClient(deps),
    }),
});

const gitopsEntityContent = EntityContentBlueprint.make({
  params: {
    path: '/gitops',
    title: 'GitOps',
    filter: isGitOpsAvailable,
    loader: () =>
      import('./components/EntityGitOpsContent').then(m => (
        <m.EntityGitOpsContent />
      )),
  },
});

const gitopsPage = PageBlueprint.make({
  params: {
    path: '/gitops',
    title: 'GitOps',
    icon: <SyncIcon />,
    routeRef: rootRouteRef,
    loader: () => import('./components/GitOpsPage').then(m => <m.GitOpsPage />),
  },
});

/**
 * The GitOps plugin for the new frontend system.
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'gitops',
  title: 'GitOps',
  icon: <SyncIcon />,
  extensions: [gitopsApi, gitopsEntityContent, gitopsPage],
  routes: {
    root: rootRouteRef,
    health: healthRouteRef,
    dependencies: dependenciesRouteRef,
  },
});
