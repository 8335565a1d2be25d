import { useCallback, useState } from 'react';
import {
  CompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  Link,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import Button from '@material-ui/core/Button';
import IconButton from '@material-ui/core/IconButton';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import RestoreIcon from '@material-ui/icons/Restore';
import CompareArrowsIcon from '@material-ui/icons/CompareArrows';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import {
  DEPLOY_METHODS,
  DeployMethod,
  DeployRecord,
} from '@gitops-backstage/plugin-gitops-common';
import { useActionPermissions, useDeployHistory } from '../../hooks';
import { NO_WRAP, relativeTime, SHRINKING, TruncatedText } from '../shared';
import { DeployChangeDialog } from './DeployChangeDialog';
import { DeployDialog } from './DeployDialog';
import { duration, DeployStatusLabel, MethodChip } from './DeployStatusLabel';
import { RollbackDialog } from './RollbackDialog';

/**
 * Every deployment of an entity with its method, filterable by environment
 * and method; deploy and roll back from here.
 */
export function DeployHistoryCard(props: {
  entityRef: CompoundEntityRef;
  environments: string[];
  /**
   * The environments a portal deploy can change: those deployed by one
   * Kustomization. The backend refuses the others (HelmReleases change
   * through their values in Git). All of them when not given.
   */
  deployable?: string[];
  /** Bumped by the tab when Flux objects change. */
  refreshKey?: unknown;
}) {
  const { entityRef, environments, refreshKey } = props;
  const deployable = props.deployable ?? environments;
  const [environment, setEnvironment] = useState('');
  const [method, setMethod] = useState<DeployMethod | ''>('');
  const [deploying, setDeploying] = useState(false);
  const [rollbackOf, setRollbackOf] = useState<DeployRecord>();
  const [changesOf, setChangesOf] = useState<DeployRecord>();
  // The diff is read from Git with the portal's token: for deployers.
  const mayDeploy = useActionPermissions(stringifyEntityRef(entityRef)).deploy;

  const history = useDeployHistory(
    entityRef,
    { environment: environment || undefined, method: method || undefined },
    refreshKey,
  );
  const { retry } = history;
  const closeDialog = useCallback(() => {
    setDeploying(false);
    setRollbackOf(undefined);
    retry();
  }, [retry]);

  const columns: TableColumn<DeployRecord>[] = [
    {
      title: 'Environment',
      field: 'environment',
      width: '130px',
      cellStyle: SHRINKING,
      render: d => <TruncatedText text={d.environment} />,
    },
    {
      title: 'Method',
      // The widest chip, gitops-git, whole.
      width: '130px',
      cellStyle: NO_WRAP,
      render: d => <MethodChip method={d.method} />,
    },
    {
      title: 'Revision',
      // A sha, or a manual deploy's image (whole on hover when longer).
      width: '115px',
      cellStyle: NO_WRAP,
      render: d => {
        if (!d.commitSha) {
          // A manual deploy's image: often longer than the column.
          return <TruncatedText text={d.details?.image as string} />;
        }
        const short = d.commitSha.slice(0, 7);
        return d.commitUrl ? <Link to={d.commitUrl}>{short}</Link> : short;
      },
    },
    {
      title: 'Message',
      cellStyle: SHRINKING,
      render: d => (
        <>
          <TruncatedText
            text={`${d.commitMessage?.split('\n')[0] ?? d.message ?? ''}${
              d.rollbackOf ? ` (restores #${d.rollbackOf})` : ''
            }`}
          />
          {d.status === 'failed' && (
            <TruncatedText text={`${d.reason}: ${d.message}`} />
          )}
        </>
      ),
    },
    {
      title: 'Who',
      width: '140px',
      cellStyle: SHRINKING,
      render: d => <TruncatedText text={d.triggeredBy} />,
    },
    {
      title: 'When',
      // "22 minutes ago" whole.
      width: '155px',
      cellStyle: NO_WRAP,
      render: d => (
        <>
          {relativeTime(d.createdAt)}
          <Typography variant="caption" color="textSecondary" component="div">
            {d.finishedAt
              ? `took ${duration(d.createdAt, d.finishedAt)}`
              : 'running…'}
          </Typography>
        </>
      ),
    },
    {
      title: 'Status',
      width: '130px',
      cellStyle: NO_WRAP,
      render: d => <DeployStatusLabel status={d.status} />,
    },
    {
      title: 'Actions',
      // Its header whole.
      width: '90px',
      sorting: false,
      cellStyle: NO_WRAP,
      render: d => (
        <>
          {d.commitSha && mayDeploy && (
            <Tooltip title={`What ${d.commitSha.slice(0, 7)} changed`}>
              <IconButton
                size="small"
                aria-label={`What deploy ${d.id} changed`}
                onClick={() => setChangesOf(d)}
              >
                <CompareArrowsIcon fontSize="small" />
              </IconButton>
            </Tooltip>
          )}
          {d.commitSha && d.status === 'succeeded' && (
            <Tooltip title={`Roll back to ${d.commitSha.slice(0, 7)}`}>
              <IconButton
                size="small"
                aria-label={`Roll back to ${d.commitSha.slice(0, 7)}`}
                onClick={() => setRollbackOf(d)}
              >
                <RestoreIcon fontSize="small" />
              </IconButton>
            </Tooltip>
          )}
        </>
      ),
    },
  ];

  if (history.error) {
    return <ResponseErrorPanel error={history.error} />;
  }
  return (
    <>
      <div
        style={{
          display: 'flex',
          gap: 16,
          alignItems: 'flex-end',
          marginBottom: 8,
        }}
      >
        <TextField
          select
          label="Environment"
          value={environment}
          onChange={e => setEnvironment(e.target.value)}
          style={{ minWidth: 160 }}
          inputProps={{ 'data-testid': 'filter-environment' }}
        >
          <MenuItem value="">all</MenuItem>
          {environments.map(e => (
            <MenuItem key={e} value={e}>
              {e}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          select
          label="Method"
          value={method}
          onChange={e => setMethod(e.target.value as DeployMethod | '')}
          style={{ minWidth: 160 }}
          inputProps={{ 'data-testid': 'filter-method' }}
        >
          <MenuItem value="">all</MenuItem>
          {DEPLOY_METHODS.map(m => (
            <MenuItem key={m} value={m}>
              {m}
            </MenuItem>
          ))}
        </TextField>
        <div style={{ flexGrow: 1 }} />
        {deployable.length === 0 && environments.length > 0 && (
          <Typography
            id="gitops-deploy-unavailable"
            variant="body2"
            data-testid="deploy-unavailable"
          >
            Portal deploys change Kustomize overlays; no environment here is
            deployed by one Flux Kustomization (a HelmRelease changes through
            its values in Git).
          </Typography>
        )}
        <Button
          color="primary"
          variant="contained"
          disabled={deployable.length === 0}
          aria-describedby={
            deployable.length === 0 ? 'gitops-deploy-unavailable' : undefined
          }
          onClick={() => setDeploying(true)}
        >
          Deploy
        </Button>
      </div>
      <Table
        title="Deploy history"
        isLoading={history.loading && !history.value}
        options={{
          // No drag handles: they nest buttons in the header buttons.
          draggable: false,
          paging: true,
          pageSize: 10,
          search: false,
          padding: 'dense',
          tableLayout: 'fixed',
        }}
        data={history.value ?? []}
        columns={columns}
        emptyContent={
          <div style={{ padding: 16 }}>No deploys recorded yet.</div>
        }
      />
      {deploying && (
        <DeployDialog
          entityRef={entityRef}
          environments={environments}
          deployable={deployable}
          onClose={closeDialog}
        />
      )}
      {changesOf && (
        <DeployChangeDialog
          entityRef={entityRef}
          deploy={changesOf}
          rows={history.value ?? []}
          onClose={() => setChangesOf(undefined)}
        />
      )}
      {rollbackOf && (
        <RollbackDialog
          entityRef={entityRef}
          target={rollbackOf}
          onClose={closeDialog}
        />
      )}
    </>
  );
}
