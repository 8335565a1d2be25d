import {
  coreServices,
  createBackendPlugin,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
} from '@backstage/backend-plugin-api';
import { ScmIntegrations } from '@backstage/integration';
import { metricsServiceRef } from '@backstage/backend-plugin-api/alpha';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import {
  ANNOTATION_ENTITY_REF,
  fluxKindInfo,
  gitopsPermissions,
} from '@gitops-backstage/plugin-gitops-common';
import {
  portalCloneUrl,
  readClusterDetails,
  readDeployKeyHosts,
  registeredRepositoryOf,
} from '@gitops-backstage/plugin-gitops-node';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { createRouter } from './router';
import { DeployHistoryService } from './deploys/DeployHistoryService';
import { GitDeployService } from './deploys/GitDeployService';
import { ManualDeployService } from './deploys/ManualDeployService';
import { OverlayRepos } from './deploys/overlayRepo';
import { PipelineReportService } from './deploys/PipelineReportService';
import { GitChangeService } from './deploys/GitChangeService';
import { PreviewService } from './deploys/PreviewService';
import { DeployStore } from './deploys/DeployStore';
import { DeployTracker } from './deploys/DeployTracker';
import { EntityScopeResolver } from './entities/EntityScopeResolver';
import { PipelineGrants } from './entities/PipelineGrants';
import { FluxEntityResolver } from './entities/FluxEntityResolver';
import { GitWorkspace } from './deploys/GitWorkspace';
import { createDeployRouter } from './deploys/router';
import { DiagnosticsStore } from './diagnostics/DiagnosticsStore';
import {
  DiagnosticsService,
  readHealthOptions,
} from './diagnostics/DiagnosticsService';
import { FailureNotifier } from './diagnostics/FailureNotifier';
import { NoticeLedger } from './diagnostics/NoticeLedger';
import { RepairService } from './diagnostics/RepairService';
import { createDiagnosticsRouter } from './diagnostics/router';
import { ClusterClients } from './cluster/ClusterClients';
import { ClusterWatcher } from './cluster/ClusterWatcher';
import { ActionAudit } from './actions/ActionAudit';
import { FluxActions } from './actions/FluxActions';
import { ChangeSignals } from './status/ChangeSignals';
import { FluxDriftService } from './status/FluxDriftService';
import { FluxEventsService } from './status/FluxEventsService';
import { FluxStatusService } from './status/FluxStatusService';
import { InFlightWork } from './lifecycle/InFlightWork';
import {
  REPLICA_SILENT_MS,
  ReplicaHeartbeat,
} from './lifecycle/ReplicaHeartbeat';

/** How long shutdown waits for work in flight (a deploy's push window). */
const SHUTDOWN_DRAIN_MS = 60_000;

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
        auditor: coreServices.auditor,
        metrics: metricsServiceRef,
      },
      async init(deps) {
        const { rootConfig, logger, lifecycle, signals } = deps;
        deps.permissionsRegistry.addPermissions(gitopsPermissions);
        const inFlight = new InFlightWork();
        deps.httpRouter.use(inFlight.middleware());

        const clients = ClusterClients.forClusters(
          readClusterDetails(rootConfig),
        );
        const watchers = clients
          .all()
          .map(client => new ClusterWatcher(client, logger));
        const status = new FluxStatusService(watchers);
        const actions = new FluxActions(status, clients);
        const audit = new ActionAudit({
          clients,
          logger,
          auditor: deps.auditor,
        });
        const integrations = ScmIntegrations.fromConfig(rootConfig);
        const deployKeyHosts = readDeployKeyHosts(rootConfig);
        const healthOptions = readHealthOptions(rootConfig);
        const store = await DiagnosticsStore.create(deps.database);
        const diagnostics = new DiagnosticsService({
          status,
          clients,
          store,
          repairs: new RepairService({
            status,
            clients,
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
          metrics: deps.metrics,
          options: healthOptions,
        });
        const entities = new FluxEntityResolver({
          catalog: deps.catalog,
          auth: deps.auth,
        });
        // DiagnosticsStore.create ran the plugin's migrations.
        const notices = new NoticeLedger(await deps.database.getClient());
        const notifier = new FailureNotifier({
          notifications: deps.notifications,
          logger,
          entityRepositoryOf: async entityRef => {
            const entity = await deps.catalog.getEntityByRef(entityRef, {
              credentials: await deps.auth.getOwnServiceCredentials(),
            });
            return entity && registeredRepositoryOf(entity).repository;
          },
          namespaceClaimOf: async (cluster, namespace) =>
            (await clients.get(cluster).readNamespace(namespace)).metadata
              ?.annotations?.[ANNOTATION_ENTITY_REF],
          notices,
        });

        const changeSignals = new ChangeSignals(signals, logger);
        for (const watcher of watchers) {
          // A workload's change (a kubectl scale) is its applier's: the tab's
          // health and drift follow it.
          watcher.onChange(resource =>
            changeSignals.announce(
              resource,
              fluxKindInfo(resource.kind)
                ? resource
                : watcher.applierOf(resource),
            ),
          );
          notifier.watch(watcher);
          watcher.start();
        }

        const scopes = new EntityScopeResolver({
          httpAuth: deps.httpAuth,
          permissions: deps.permissions,
          catalog: deps.catalog,
          auth: deps.auth,
          watchers,
          pipelines: PipelineGrants.fromConfig(rootConfig),
        });
        deps.httpRouter.use(
          await createRouter({
            httpAuth: deps.httpAuth,
            scopes,
            status,
            events: new FluxEventsService(clients),
            drift: new FluxDriftService(clients),
            actions,
            audit,
          }),
        );
        const deployStore = await DeployStore.create(deps.database);
        // Which replicas are alive: a deploy whose replica stopped while
        // pushing is settled by another.
        const heartbeat = new ReplicaHeartbeat(
          await deps.database.getClient(),
          logger,
        );
        await heartbeat.start();
        // One clone per repository per process: replicas never share one.
        const workspaceDir = fs.mkdtempSync(
          path.join(os.tmpdir(), 'backstage-gitops-deploys-'),
        );
        // One hook, in order: Backstage runs the hooks at once.
        lifecycle.addShutdownHook(async () => {
          if (inFlight.count > 0) {
            logger.info(
              `Shutdown waits for ${inFlight.count} GitOps request(s) or scheduled run(s) in flight`,
            );
          }
          const left = await inFlight.close(SHUTDOWN_DRAIN_MS);
          if (left > 0) {
            logger.warn(
              `Shutting down with ${left} GitOps request(s) or scheduled run(s) unfinished`,
            );
          }
          await heartbeat
            .stop({ unfinished: left })
            .catch(error =>
              logger.warn(`leaving the table of replicas failed: ${error}`),
            );
          watchers.forEach(w => w.stop());
          changeSignals.stop();
          fs.rmSync(workspaceDir, { recursive: true, force: true });
          logger.info(
            `GitOps shut down: ${
              left > 0 ? `${left} unfinished` : 'nothing in flight'
            }, watches closed, workspace removed`,
          );
        });
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
        const repos = new OverlayRepos(workspace, integrations);
        const previews = new PreviewService({ clients, repos });
        const history = new DeployHistoryService(deployStore);
        deps.httpRouter.use(
          createDeployRouter({
            audit,
            scopes,
            history,
            previews,
            gitChanges: new GitChangeService({ repos, history }),
            gitDeploys: new GitDeployService({
              catalog: deps.catalog,
              actions,
              store: deployStore,
              repos,
              previews,
              logger: deps.logger,
              replicaId: heartbeat.id,
            }),
            manualDeploys: new ManualDeployService({
              clients,
              store: deployStore,
              deployKeyHosts,
            }),
            pipelineReports: new PipelineReportService({
              actions,
              store: deployStore,
              repos,
            }),
          }),
        );
        const tracker = new DeployTracker({
          status,
          entities,
          store: deployStore,
          repos,
          logger,
          timeoutMs:
            (rootConfig.getOptionalNumber('gitops.deploys.timeoutMinutes') ??
              10) * 60_000,
          replicaId: heartbeat.id,
          replicaSilentMs: REPLICA_SILENT_MS,
        });
        // Global scope: one replica at a time tracks (the scheduler's lock in
        // the database). A replica killed in the middle of a run keeps the
        // lock until the timeout, so it is short; a run that outlasts it
        // overlaps the next one, which its conditional writes allow.
        await deps.scheduler.scheduleTask({
          id: 'gitops-deploy-tracker',
          scope: 'global',
          frequency: { seconds: 2 },
          timeout: { seconds: 30 },
          fn: () => inFlight.run(() => tracker.run()),
        });

        deps.httpRouter.use(
          createDiagnosticsRouter({
            audit,
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
          fn: () => inFlight.run(() => diagnostics.runScheduled()),
        });
      },
    });
  },
});
