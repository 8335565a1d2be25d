import { Table, TableColumn } from '@backstage/core-components';
import { FluxObjectStatus } from '@gitops-backstage/plugin-gitops-common';
import IconButton from '@material-ui/core/IconButton';
import Tooltip from '@material-ui/core/Tooltip';
import AccountTreeIcon from '@material-ui/icons/AccountTree';
import CloudOffIcon from '@material-ui/icons/CloudOff';
import EventNoteIcon from '@material-ui/icons/EventNote';
import LockIcon from '@material-ui/icons/Lock';
import PauseIcon from '@material-ui/icons/Pause';
import PlayArrowIcon from '@material-ui/icons/PlayArrow';
import SyncIcon from '@material-ui/icons/Sync';
import { ReactElement } from 'react';
import { ActionPermissions, PendingAction } from '../../hooks';
import { byUrgency, fluxObjectColumns, NO_WRAP } from '../shared';

const ACTIONABLE = new Set(['Kustomization', 'HelmRelease']);
const ICON_STYLE = { verticalAlign: 'middle', margin: '0 5px' };

/** An icon button with its name for screen readers and as a tooltip. */
function Action(props: {
  label: string;
  icon: ReactElement;
  onClick: () => void;
}) {
  return (
    <Tooltip title={props.label}>
      <IconButton size="small" aria-label={props.label} onClick={props.onClick}>
        {props.icon}
      </IconButton>
    </Tooltip>
  );
}

/** The entity's Flux objects, failing first, with their actions. */
export function FluxObjectsTable(props: {
  objects: FluxObjectStatus[];
  onAction: (action: PendingAction) => void;
  onEvents: (object: FluxObjectStatus) => void;
  /** Opens what a Kustomization or HelmRelease applied. */
  onInventory?: (object: FluxObjectStatus) => void;
  /** Why the portal cannot act on an object now (its cluster is unreachable). */
  unavailableOf?: (object: FluxObjectStatus) => string | undefined;
  /** The actions the signed-in user may take (all, when not given). */
  permissions?: Pick<ActionPermissions, 'reconcile' | 'suspend'>;
}) {
  const {
    objects,
    onAction,
    onEvents,
    onInventory,
    unavailableOf = () => undefined,
    permissions = { reconcile: true, suspend: true },
  } = props;
  const actionable = (o: FluxObjectStatus) =>
    !o.readOnly && ACTIONABLE.has(o.kind) && !unavailableOf(o);
  const columns: TableColumn<FluxObjectStatus>[] = [
    ...fluxObjectColumns(),
    {
      title: 'Actions',
      // Four 30 px icons and the dense cell's padding.
      width: '160px',
      sorting: false,
      cellStyle: NO_WRAP,
      render: o => (
        <>
          {o.readOnly && (
            <Tooltip title={`Read-only: ${o.readOnly}`}>
              <LockIcon
                fontSize="small"
                titleAccess={`Read-only: ${o.readOnly}`}
                style={ICON_STYLE}
              />
            </Tooltip>
          )}
          {!o.readOnly && ACTIONABLE.has(o.kind) && unavailableOf(o) && (
            <Tooltip title={`Actions unavailable: ${unavailableOf(o)}`}>
              <CloudOffIcon
                fontSize="small"
                titleAccess={`Actions unavailable: ${unavailableOf(o)}`}
                style={ICON_STYLE}
              />
            </Tooltip>
          )}
          {actionable(o) && permissions.reconcile && !o.suspended && (
            <Action
              label="Sync"
              icon={<SyncIcon fontSize="small" />}
              onClick={() => onAction({ type: 'reconcile', object: o })}
            />
          )}
          {actionable(o) &&
            permissions.suspend &&
            (o.suspended ? (
              <Action
                label="Resume"
                icon={<PlayArrowIcon fontSize="small" />}
                onClick={() => onAction({ type: 'resume', object: o })}
              />
            ) : (
              <Action
                label="Suspend"
                icon={<PauseIcon fontSize="small" />}
                onClick={() => onAction({ type: 'suspend', object: o })}
              />
            ))}
          {onInventory && ACTIONABLE.has(o.kind) && (
            <Action
              label="Inventory"
              icon={<AccountTreeIcon fontSize="small" />}
              onClick={() => onInventory(o)}
            />
          )}
          <Action
            label="Events"
            icon={<EventNoteIcon fontSize="small" />}
            onClick={() => onEvents(o)}
          />
        </>
      ),
    },
  ];
  return (
    <Table
      title="Flux objects"
      options={{
        paging: false,
        search: false,
        padding: 'dense',
        tableLayout: 'fixed',
        // No drag handles: they nest buttons in the header buttons.
        draggable: false,
      }}
      data={[...objects].sort(byUrgency)}
      columns={columns}
    />
  );
}
