import {
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { getCompoundEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  DriftedField,
  DriftedObject,
  DriftReport,
  FluxObjectStatus,
} from '@gitops-backstage/plugin-gitops-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { useDrift } from '../../hooks';
import { relativeTime } from '../shared';
import { ObjectDialog } from './ObjectDialog';

const useStyles = makeStyles(theme => ({
  object: { marginTop: theme.spacing(2) },
  value: { fontFamily: 'monospace', wordBreak: 'break-all' },
  effect: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(2),
    alignItems: 'center',
    marginTop: theme.spacing(2),
  },
}));

/** "2 objects changed, 1 missing" — or "none". */
export function driftSummary(report: DriftReport): string {
  const changed = report.objects.filter(o => o.drift === 'changed').length;
  const missing = report.objects.length - changed;
  const parts = [
    changed > 0 ? `${changed} object${changed === 1 ? '' : 's'} changed` : '',
    missing > 0 ? `${missing} missing` : '',
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

const describeWriter = (field: DriftedField) =>
  `${field.manager} (${field.operation}${
    field.subresource ? ` of ${field.subresource}` : ''
  })`;

function FieldsTable(props: { object: DriftedObject }) {
  const classes = useStyles();
  const columns: TableColumn<DriftedField>[] = [
    { title: 'Field', field: 'path', render: f => <code>{f.path}</code> },
    { title: 'Changed by', render: describeWriter },
    { title: 'When', render: f => relativeTime(f.time) },
    {
      title: 'Live value',
      render: f => (
        <span className={classes.value}>
          {f.live ??
            (props.object.kind === 'Secret' ? '(secret: not shown)' : '—')}
        </span>
      ),
    },
  ];
  return (
    <Table<DriftedField>
      options={{
        paging: false,
        search: false,
        toolbar: false,
        padding: 'dense',
      }}
      columns={columns}
      data={props.object.fields}
    />
  );
}

function DriftView(props: {
  object: FluxObjectStatus;
  liveIds?: string[];
  onSync?: () => void;
}) {
  const { object, liveIds, onSync } = props;
  const { entity } = useEntity();
  const classes = useStyles();
  const { value, loading, error } = useDrift(
    getCompoundEntityRef(entity),
    object,
    liveIds,
  );
  if (!value && loading) {
    return <Progress />;
  }
  if (!value && error) {
    return <ResponseErrorPanel error={error} />;
  }
  const report = value as DriftReport;
  return (
    <div data-testid="drift-report">
      <Typography variant="body2" color="textSecondary">
        {report.checked < report.total
          ? `The first ${report.checked} of ${report.total} objects read`
          : `${report.total} object${report.total === 1 ? '' : 's'} read`}{' '}
        live {relativeTime(report.checkedAt)}; changes by {report.fluxManager}{' '}
        and the control plane are not drift.
      </Typography>
      {report.objects.length === 0 && (
        <Typography variant="body1" data-testid="drift-none">
          No drift: every object of the inventory is as Flux applied it.
        </Typography>
      )}
      {report.objects.map(o => (
        <section
          key={`${o.apiVersion}/${o.kind}/${o.namespace}/${o.name}`}
          className={classes.object}
          data-testid={`drift-${o.kind}-${o.name}`}
          aria-label={`${o.kind} ${o.name}`}
        >
          <Typography variant="subtitle1" component="h3">
            {o.kind} {o.namespace ? `${o.namespace}/` : ''}
            {o.name}:{' '}
            {o.drift === 'missing'
              ? 'missing from the cluster (deleted outside Flux)'
              : `${o.fields.length} field${
                  o.fields.length === 1 ? '' : 's'
                } changed outside Git`}
          </Typography>
          {o.drift === 'changed' && <FieldsTable object={o} />}
        </section>
      ))}
      {report.unreadable.length > 0 && (
        <Box className={classes.object} data-testid="drift-unreadable">
          <Typography variant="subtitle2">
            Not readable by the portal
          </Typography>
          {report.unreadable.map(u => (
            <Typography
              variant="body2"
              key={`${u.kind}/${u.namespace}/${u.name}`}
            >
              {u.kind} {u.namespace ? `${u.namespace}/` : ''}
              {u.name}: {u.message}
            </Typography>
          ))}
        </Box>
      )}
      {report.objects.length > 0 && (
        <Box className={classes.effect}>
          <Typography variant="body2" data-testid="drift-sync-effect">
            {report.syncEffect}
          </Typography>
          {onSync && (
            <Button variant="contained" color="primary" onClick={onSync}>
              Sync
            </Button>
          )}
        </Box>
      )}
    </div>
  );
}

/**
 * What of a Kustomization's or HelmRelease's inventory differs from what
 * Flux applied: fields other field managers wrote (with who, when and the
 * live value) and objects deleted from the cluster; Sync where the user
 * may.
 */
export function DriftDialog(props: {
  object?: FluxObjectStatus;
  liveIds?: string[];
  onSync?: () => void;
  onClose: () => void;
}) {
  const { object, liveIds, onSync, onClose } = props;
  if (!object) {
    return null;
  }
  return (
    <ObjectDialog what="Drift" object={object} onClose={onClose}>
      <DriftView object={object} liveIds={liveIds} onSync={onSync} />
    </ObjectDialog>
  );
}
