import { useState } from 'react';
import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import {
  getCompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  ANNOTATION_KUBERNETES_ID,
  ANNOTATION_LABEL_SELECTOR,
  EntityGitOpsStatus,
  entityLabelSelector,
  FluxObjectStatus,
} from '@gitops-backstage/plugin-gitops-common';
import Grid from '@material-ui/core/Grid';
import { makeStyles } from '@material-ui/core/styles';
import {
  useActionPermissions,
  useEntityGitOpsStatus,
  useFluxActions,
} from '../../hooks';
import {
  DeployDialog,
  DeployHistoryCard,
  isDeployable,
} from '../DeployHistory';
import { FluxDependencyGraph } from '../DependencyGraph';
import { byPromotionOrder, UnreachableClusterWarning } from '../shared';
import { ActionDialog } from './ActionDialogs';
import { DriftDialog } from './DriftDialog';
import { EntityHealthSummary } from './EntityHealthSummary';
import { EnvironmentCard } from './EnvironmentCard';
import { EventsDialog } from './EventsDialog';
import { FluxObjectsTable } from './FluxObjectsTable';
import { InventoryDialog } from './InventoryDialog';
import { OwnershipWarnings } from './OwnershipWarnings';
import { PendingChangeDialog } from './PendingChangeDialog';

const useStyles = makeStyles(theme => ({
  environments: {
    display: 'grid',
    gap: theme.spacing(3),
    // Stacked on narrow screens; one row from the md breakpoint up.
    [theme.breakpoints.down('sm')]: {
      gridTemplateColumns: 'minmax(0, 1fr) !important',
    },
  },
}));

/**
 * The GitOps tab of an entity page, read top-down: the environments side by
 * side in promotion order with their actions, then the findings, the deploy
 * history and the Flux objects (failing first) with their events.
 *
 * @public
 */
export function EntityGitOpsContent() {
  const { entity } = useEntity();
  if (!entityLabelSelector(entity)) {
    return <MissingAnnotation />;
  }
  return <GitOpsStatus />;
}

function GitOpsStatus() {
  const { entity } = useEntity();
  const entityRef = getCompoundEntityRef(entity);
  const kubernetesId = entity.metadata.annotations?.[ANNOTATION_KUBERNETES_ID];
  const liveIds =
    kubernetesId && !entity.metadata.annotations?.[ANNOTATION_LABEL_SELECTOR]
      ? [kubernetesId]
      : undefined;
  const { value, loading, error, retry } = useEntityGitOpsStatus(
    entityRef,
    liveIds,
  );
  const actions = useFluxActions(entityRef, retry);
  const permissions = useActionPermissions(stringifyEntityRef(entity));
  const [eventsOf, setEventsOf] = useState<FluxObjectStatus>();
  const [driftOf, setDriftOf] = useState<FluxObjectStatus>();
  const [pendingOf, setPendingOf] = useState<string>();
  const [inventoryOf, setInventoryOf] = useState<FluxObjectStatus>();
  const [deployTo, setDeployTo] = useState<string>();
  const classes = useStyles();

  if (!value && loading) {
    return <Progress />;
  }
  if (!value && error) {
    return <ResponseErrorPanel error={error} />;
  }
  const status = value as EntityGitOpsStatus;
  const environments = [...status.environments].sort((a, b) =>
    byPromotionOrder(a.name, b.name),
  );
  const objects = environments.flatMap(e => e.objects);
  // SSH sources carry their repository's web URL for commit links.
  const repoUrlOf = (object: FluxObjectStatus) => {
    const source = objects.find(
      o =>
        o.kind === object.source?.kind &&
        o.name === object.source?.name &&
        o.namespace === object.source?.namespace,
    );
    return source?.webUrl ?? source?.url;
  };

  // Actions patch the cluster and deploys are tracked on it: none while it
  // cannot be read (the backend would answer 503).
  const unreachable = new Map(
    status.clusters
      .filter(c => c.state === 'unreachable')
      .map(c => [c.name, `cluster ${c.title ?? c.name} cannot be read`]),
  );
  const unavailableOf = (object: FluxObjectStatus) =>
    unreachable.get(object.cluster);
  // Sync from a dialog: for who may, on an object that takes it now.
  const syncOf = (object: FluxObjectStatus | undefined, close: () => void) =>
    object &&
    permissions.reconcile &&
    !object.readOnly &&
    !object.suspended &&
    !unavailableOf(object)
      ? () => {
          close();
          actions.request({ type: 'reconcile', object });
        }
      : undefined;
  const deployable = environments
    .filter(e => isDeployable(e) && !e.objects.some(unavailableOf))
    .map(e => e.name);

  const clusterTitleOf =
    status.clusters.length > 1
      ? (name: string) =>
          status.clusters.find(c => c.name === name)?.title ?? name
      : undefined;

  return (
    <Grid container spacing={3}>
      {status.clusters
        .filter(c => c.state === 'unreachable')
        .map(c => (
          <Grid item xs={12} key={c.name}>
            <UnreachableClusterWarning cluster={c} />
          </Grid>
        ))}
      <OwnershipWarnings warnings={status.warnings} />
      {environments.length === 0 ? (
        <Grid item xs={12}>
          <EmptyState
            missing="data"
            title="No Flux objects found"
            description={`No Kustomization, HelmRelease or source matches ${status.selector} on the configured clusters.`}
          />
        </Grid>
      ) : (
        <Grid item xs={12}>
          {/* Side by side in promotion order, one column each. */}
          <section
            aria-label="Environments in promotion order"
            className={classes.environments}
            style={{
              gridTemplateColumns: `repeat(${environments.length}, minmax(0, 1fr))`,
            }}
            data-testid="environments"
          >
            {environments.map(environment => (
              <EnvironmentCard
                key={environment.name}
                environment={environment}
                repoUrlOf={repoUrlOf}
                onAction={actions.request}
                onDeploy={setDeployTo}
                clusterTitleOf={clusterTitleOf}
                unavailable={environment.objects
                  .map(unavailableOf)
                  .find(Boolean)}
                permissions={permissions}
                onDrift={setDriftOf}
                onPending={setPendingOf}
                liveIds={liveIds}
              />
            ))}
          </section>
        </Grid>
      )}
      {objects.length > 0 && (
        <Grid item xs={12}>
          <EntityHealthSummary objects={objects} />
        </Grid>
      )}
      {objects.length > 0 && (
        <Grid item xs={12}>
          <FluxDependencyGraph
            objects={objects}
            title="Promotion order"
            subheader="What waits for what (dependsOn) across the environments; click an object for its events"
            onOpen={setEventsOf}
          />
        </Grid>
      )}
      {environments.length > 0 && (
        <Grid item xs={12}>
          <DeployHistoryCard
            entityRef={entityRef}
            environments={environments.map(e => e.name)}
            deployable={deployable}
            refreshKey={value}
          />
        </Grid>
      )}
      {objects.length > 0 && (
        <Grid item xs={12}>
          <FluxObjectsTable
            objects={objects}
            onAction={actions.request}
            onEvents={setEventsOf}
            onInventory={setInventoryOf}
            unavailableOf={unavailableOf}
            permissions={permissions}
          />
        </Grid>
      )}
      <ActionDialog
        action={actions.pending}
        busy={actions.busy}
        onCancel={actions.cancel}
        onConfirm={actions.confirm}
      />
      <EventsDialog object={eventsOf} onClose={() => setEventsOf(undefined)} />
      <PendingChangeDialog
        environment={pendingOf}
        liveIds={liveIds}
        onSync={syncOf(
          environments
            .find(e => e.name === pendingOf)
            ?.objects.find(o => o.kind === 'Kustomization'),
          () => setPendingOf(undefined),
        )}
        onClose={() => setPendingOf(undefined)}
      />
      <DriftDialog
        object={driftOf}
        liveIds={liveIds}
        onSync={syncOf(driftOf, () => setDriftOf(undefined))}
        onClose={() => setDriftOf(undefined)}
      />
      <InventoryDialog
        object={inventoryOf}
        liveIds={liveIds}
        onClose={() => setInventoryOf(undefined)}
      />
      {deployTo && (
        <DeployDialog
          entityRef={entityRef}
          environments={environments.map(e => e.name)}
          deployable={deployable}
          initialEnvironment={deployTo}
          onClose={() => {
            setDeployTo(undefined);
            retry();
          }}
        />
      )}
    </Grid>
  );
}

function MissingAnnotation() {
  return (
    <EmptyState
      missing="field"
      title="This entity is not linked to Flux"
      description={
        <>
          Add the annotation <code>{ANNOTATION_KUBERNETES_ID}</code> with the
          value of the <code>{ANNOTATION_KUBERNETES_ID}</code> label on its Flux
          objects, or <code>{ANNOTATION_LABEL_SELECTOR}</code> with a label
          selector. Entities created from the GitOps templates carry it already.
        </>
      }
    />
  );
}
