import { useCallback, useState } from 'react';
import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
  WarningPanel,
} from '@backstage/core-components';
import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import { getCompoundEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  ANNOTATION_KUBERNETES_ID,
  ANNOTATION_LABEL_SELECTOR,
  EntityGitOpsStatus,
  entityLabelSelector,
  FluxObjectStatus,
} from '@gitops-backstage/plugin-gitops-common';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { gitopsApiRef } from '../../api';
import { relativeTime, SyncStateLabel, useLiveStatus } from '../shared';
import { ActionDialog, PendingAction } from './ActionDialogs';
import { DeployHistoryCard } from '../DeployHistory';
import { EntityHealthSummary } from './EntityHealthSummary';
import { EnvironmentCard } from './EnvironmentCard';
import { EventsDialog } from './EventsDialog';

/**
 * The GitOps tab of an entity page: per environment a sync card, then the
 * Flux objects with Sync / Suspend / Resume and their events.
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
  const api = useApi(gitopsApiRef);
  const alertApi = useApi(alertApiRef);
  const { entity } = useEntity();
  const entityRef = getCompoundEntityRef(entity);
  const kubernetesId = entity.metadata.annotations?.[ANNOTATION_KUBERNETES_ID];

  const { value, loading, error, retry } = useAsyncRetry(
    () => api.getEntityStatus(entityRef),
    [api, entityRef.kind, entityRef.namespace, entityRef.name],
  );
  const refresh = useCallback(() => retry(), [retry]);
  useLiveStatus(
    refresh,
    kubernetesId && !entity.metadata.annotations?.[ANNOTATION_LABEL_SELECTOR]
      ? [kubernetesId]
      : undefined,
    loading,
  );

  const [pending, setPending] = useState<PendingAction>();
  const [busy, setBusy] = useState(false);
  const [eventsOf, setEventsOf] = useState<FluxObjectStatus>();

  const run = async (options: { withSource: boolean; reason: string }) => {
    if (!pending) {
      return;
    }
    setBusy(true);
    const { object } = pending;
    try {
      let result;
      if (pending.type === 'reconcile') {
        result = await api.reconcile(entityRef, object, {
          withSource: options.withSource,
        });
      } else if (pending.type === 'suspend') {
        result = await api.suspend(entityRef, object, options.reason);
      } else {
        result = await api.resume(entityRef, object);
      }
      const what = `${object.kind} ${object.name}`;
      if (!result.handled) {
        alertApi.post({
          message: `${what}: Flux has not handled the request yet; it will when the controller is back`,
          severity: 'warning',
        });
      } else if (result.status.state === 'Failed') {
        alertApi.post({
          message: `${what} failed: ${result.status.reason}: ${result.status.message}`,
          severity: 'error',
        });
      } else {
        alertApi.post({
          message: `${what}: ${result.status.state} at ${
            result.status.shortRevision ?? 'its revision'
          }`,
          severity: 'success',
          display: 'transient',
        });
      }
      setPending(undefined);
    } catch (e) {
      alertApi.post({ message: (e as Error).message, severity: 'error' });
    } finally {
      setBusy(false);
      retry();
    }
  };

  if (!value && loading) {
    return <Progress />;
  }
  if (!value && error) {
    return <ResponseErrorPanel error={error} />;
  }
  const status = value as EntityGitOpsStatus;
  const objects = status.environments.flatMap(e => e.objects);
  const repoUrlOf = (object: FluxObjectStatus) => {
    const source = objects.find(
      o =>
        o.kind === object.source?.kind &&
        o.name === object.source?.name &&
        o.namespace === object.source?.namespace,
    );
    return source?.webUrl ?? source?.url;
  };

  return (
    <Grid container spacing={3}>
      {status.clusters
        .filter(c => c.state === 'unreachable')
        .map(c => (
          <Grid item xs={12} key={c.name}>
            <WarningPanel
              severity="error"
              title={`Cluster ${
                c.title ?? c.name
              } cannot be read; its objects show their last known state`}
              message={c.error}
            />
          </Grid>
        ))}
      {status.environments.length === 0 ? (
        <Grid item xs={12}>
          <EmptyState
            missing="data"
            title="No Flux objects found"
            description={`No Kustomization, HelmRelease or source matches ${status.selector} on the configured clusters.`}
          />
        </Grid>
      ) : (
        status.environments.map(environment => (
          <Grid item xs={12} md={4} key={environment.name}>
            <EnvironmentCard environment={environment} repoUrlOf={repoUrlOf} />
          </Grid>
        ))
      )}
      {objects.length > 0 && (
        <Grid item xs={12}>
          <EntityHealthSummary objects={objects} />
        </Grid>
      )}
      {status.environments.length > 0 && (
        <Grid item xs={12}>
          <DeployHistoryCard
            entityRef={entityRef}
            environments={status.environments.map(e => e.name)}
            refreshKey={value}
          />
        </Grid>
      )}
      {objects.length > 0 && (
        <Grid item xs={12}>
          <ResourcesTable
            objects={objects}
            onAction={setPending}
            onEvents={setEventsOf}
          />
        </Grid>
      )}
      <ActionDialog
        action={pending}
        busy={busy}
        onCancel={() => setPending(undefined)}
        onConfirm={run}
      />
      <EventsDialog object={eventsOf} onClose={() => setEventsOf(undefined)} />
    </Grid>
  );
}

const ACTIONABLE = new Set(['Kustomization', 'HelmRelease']);

function ResourcesTable(props: {
  objects: FluxObjectStatus[];
  onAction: (action: PendingAction) => void;
  onEvents: (object: FluxObjectStatus) => void;
}) {
  const { objects, onAction, onEvents } = props;
  const columns: TableColumn<FluxObjectStatus>[] = [
    { title: 'Kind', field: 'kind' },
    { title: 'Name', field: 'name', highlight: true },
    { title: 'Environment', field: 'environment' },
    { title: 'Cluster', field: 'cluster' },
    { title: 'Namespace', field: 'namespace' },
    { title: 'State', render: o => <SyncStateLabel state={o.state} /> },
    { title: 'Revision', field: 'shortRevision' },
    { title: 'Updated', render: o => relativeTime(o.lastTransitionTime) },
    { title: 'Message', field: 'message', width: '30%' },
    {
      title: 'Workloads',
      render: o => (
        <>
          {o.workloads.map(w => (
            <div key={`${w.kind}/${w.namespace}/${w.name}`}>
              {w.kind} {w.name}
              {w.health ? `: ${w.health} ${w.ready}` : ''}
            </div>
          ))}
          {o.dependsOn.map(d => (
            <div key={`${d.namespace}/${d.name}`}>
              needs {d.name}
              {d.state ? `: ${d.state}` : ' (not found)'}
            </div>
          ))}
        </>
      ),
    },
    {
      title: 'Actions',
      render: o => (
        <>
          {ACTIONABLE.has(o.kind) && !o.suspended && (
            <Button
              size="small"
              color="primary"
              onClick={() => onAction({ type: 'reconcile', object: o })}
            >
              Sync
            </Button>
          )}
          {ACTIONABLE.has(o.kind) &&
            (o.suspended ? (
              <Button
                size="small"
                onClick={() => onAction({ type: 'resume', object: o })}
              >
                Resume
              </Button>
            ) : (
              <Button
                size="small"
                onClick={() => onAction({ type: 'suspend', object: o })}
              >
                Suspend
              </Button>
            ))}
          <Button size="small" onClick={() => onEvents(o)}>
            Events
          </Button>
        </>
      ),
    },
  ];
  return (
    <Table
      title="Flux resources"
      options={{ paging: false, search: false, padding: 'dense' }}
      data={objects}
      columns={columns}
    />
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
