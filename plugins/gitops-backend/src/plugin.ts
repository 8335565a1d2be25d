import {
  coreServices,
  createBackendPlugin,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
} from '@backstage/backend-plugin-api';
import { ScmIntegrations } from '@backstage/integration';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import {
  GITOPS_SIGNAL_CHANNEL,
  FluxResource,
  GitOpsChangeSignal,
  gitopsPermissions,
  LABEL_KUBERNETES_ID,
} from '@gitops-backstage/plugin-gitops-common';
import {
  portalCloneUrl,
  readClusterDetails,
  readDeployKeyHosts,
} from '@gitops-backstage/plugin-gitops-node';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { createRouter } from './router';
import { DeployService } from './deploys/DeployService';
import { DeployStore } from './deploys/DeployStore';
import { DeployTracker } from './deploys/DeployTracker';
import { FluxEntityResolver } from './service/FluxEntityResolver';
import { GitWorkspace } from './deploys/GitWorkspace';
import { createDeployRouter } from './deploys/router';
import { DiagnosticsStore } from './diagnostics/DiagnosticsStore';
import {
  DiagnosticsService,
  readHealthOptions,
} from './diagnostics/DiagnosticsService';
import { FailureNotifier } from './diagnostics/FailureNotifier';
import { RepairService } from './diagnostics/RepairService';
import { createDiagnosticsRouter } from './diagnostics/router';
import { ClusterWatcher } from './service/ClusterWatcher';
import { FluxActions } from './service/fluxActions';
import { FluxStatusService } from './service/FluxStatusService';

// Changes arriving together (a reconcile touches several objects) go out
// as one signal.
const SIGNAL_BATCH_MS = 150;

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
        logger: coreServices.logger,
        lifecycle: coreServices.lifecycle,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        catalog: catalogServiceRef,
        signals: signalsServiceRef,
        auth: coreServices.auth,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        notifications: notificationService,
      },
      async init(deps) {
        const { rootConfig, logger, lifecycle, signals } = deps;
        deps.permissionsRegistry.addPermissions(gitopsPermissions);

        const watchers = readClusterDetails(rootConfig).map(
          cluster => new ClusterWatcher(cluster, logger),
        );
        const status = new FluxStatusService(watchers);
        const actions = new FluxActions(status);
        const integrations = ScmIntegrations.fromConfig(rootConfig);
        const deployKeyHosts = readDeployKeyHosts(rootConfig);
        const healthOptions = readHealthOptions(rootConfig);
        const store = await DiagnosticsStore.create(deps.database);
        const diagnostics = new DiagnosticsService({
          status,
          store,
          repairs: new RepairService({
            status,
            actions,
            store,
            catalog: deps.catalog,
            auth: deps.auth,
            integrations,
            deployKeyHosts,
            logger,
            fluxNamespace: healthOptions.fluxNamespace,
          }),
          auth: deps.auth,
          logger,
          options: healthOptions,
        });
        const entities = new FluxEntityResolver({
          catalog: deps.catalog,
          auth: deps.auth,
        });
        const notifier = new FailureNotifier({
          notifications: deps.notifications,
          entities,
          logger,
        });

        let pending = new Set<string>();
        let timer: NodeJS.Timeout | undefined;
        const flush = () => {
          timer = undefined;
          const message: GitOpsChangeSignal = { kubernetesIds: [...pending] };
          pending = new Set();
          signals
            .publish({
              recipients: { type: 'broadcast' },
              channel: GITOPS_SIGNAL_CHANNEL,
              message: message as any,
            })
            .catch(error =>
              logger.warn(`publishing GitOps signal failed: ${error}`),
            );
        };
        const announce = (resource: FluxResource) => {
          const id = resource.metadata.labels?.[LABEL_KUBERNETES_ID];
          if (id) {
            pending.add(id);
            timer ??= setTimeout(flush, SIGNAL_BATCH_MS);
          }
        };
        for (const watcher of watchers) {
          watcher.onChange(announce);
          notifier.watch(watcher);
          watcher.start();
        }
        lifecycle.addShutdownHook(() => {
          watchers.forEach(w => w.stop());
          if (timer) {
            clearTimeout(timer);
          }
        });

        deps.httpRouter.use(
          await createRouter({
            httpAuth: deps.httpAuth,
            permissions: deps.permissions,
            catalog: deps.catalog,
            status,
            actions,
          }),
        );
        const deployStore = await DeployStore.create(deps.database);
        // One clone per repository per process: replicas never share one.
        const workspaceDir = fs.mkdtempSync(
          path.join(os.tmpdir(), 'backstage-gitops-deploys-'),
        );
        lifecycle.addShutdownHook(() =>
          fs.rmSync(workspaceDir, { recursive: true, force: true }),
        );
        const workspace = new GitWorkspace(
          workspaceDir,
          {
            name:
              rootConfig.getOptionalString('gitops.deploys.committer.name') ??
              'Backstage GitOps',
            email:
              rootConfig.getOptionalString('gitops.deploys.committer.email') ??
              'gitops@backstage.local',
          },
          {
            cloneUrl: url => portalCloneUrl(url, deployKeyHosts, integrations),
          },
        );
        const deploys = new DeployService({
          status,
          actions,
          store: deployStore,
          workspace,
          integrations,
        });
        deps.httpRouter.use(
          createDeployRouter({
            httpAuth: deps.httpAuth,
            permissions: deps.permissions,
            catalog: deps.catalog,
            auth: deps.auth,
            status,
            store: deployStore,
            deploys,
          }),
        );
        const tracker = new DeployTracker({
          status,
          entities,
          store: deployStore,
          workspace,
          integrations,
          logger,
          timeoutMs:
            (rootConfig.getOptionalNumber('gitops.deploys.timeoutMinutes') ??
              10) * 60_000,
        });
        // Local scope: every replica tracks; the store keeps writes unique.
        await deps.scheduler.scheduleTask({
          id: 'gitops-deploy-tracker',
          scope: 'local',
          frequency: { seconds: 2 },
          timeout: { minutes: 2 },
          fn: () => tracker.run(),
        });

        deps.httpRouter.use(
          createDiagnosticsRouter({
            httpAuth: deps.httpAuth,
            permissions: deps.permissions,
            diagnostics,
          }),
        );

        const schedule = rootConfig.has('gitops.health.schedule')
          ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
              rootConfig.getConfig('gitops.health.schedule'),
            )
          : {
              frequency: { minutes: 30 },
              timeout: { minutes: 5 },
              initialDelay: { minutes: 1 },
            };
        await deps.scheduler.scheduleTask({
          id: 'gitops-health-check',
          scope: 'global',
          ...schedule,
          fn: () => diagnostics.runScheduled(),
        });
      },
    });
  },
});
