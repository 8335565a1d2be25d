import { Link, Progress, ResponseErrorPanel } from '@backstage/core-components';
import { getCompoundEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { PendingChange } from '@gitops-backstage/plugin-gitops-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { usePendingChange } from '../../hooks';
import { DiffView } from '../DeployHistory';
import { relativeTime } from '../shared';
import { WideDialog } from './ObjectDialog';

const useStyles = makeStyles(theme => ({
  commits: { margin: theme.spacing(1, 0, 2), paddingLeft: theme.spacing(3) },
  sha: { fontFamily: 'monospace', marginRight: theme.spacing(1) },
  section: { marginTop: theme.spacing(2) },
}));

const short = (sha?: string) => sha?.slice(0, 7) ?? '—';

function PendingView(props: { change: PendingChange }) {
  const { change } = props;
  const classes = useStyles();
  if (!change.pending) {
    return (
      <Typography variant="body1" data-testid="pending-none">
        Nothing pending: the environment applied {short(change.appliedCommit)},
        the commit its source holds.
      </Typography>
    );
  }
  const others = change.commitsBetween - change.commits.length;
  return (
    <div data-testid="pending-change">
      <Typography variant="body2">
        Applied {short(change.appliedCommit)}; the source holds{' '}
        {short(change.sourceCommit)}
        {change.suspended
          ? ' — the Kustomization is suspended, so nothing is applied until it is resumed.'
          : '.'}{' '}
        Compared: {change.paths.map(p => p || '(repository root)').join(', ')}.
      </Typography>
      <Typography
        variant="subtitle1"
        component="h3"
        className={classes.section}
      >
        {change.commits.length} commit{change.commits.length === 1 ? '' : 's'}{' '}
        touching them
        {others > 0 ? ` (and ${others} elsewhere in the repository)` : ''}
      </Typography>
      <ol className={classes.commits} data-testid="pending-commits">
        {change.commits.map(c => (
          <li key={c.sha}>
            <span className={classes.sha}>
              {c.url ? <Link to={c.url}>{short(c.sha)}</Link> : short(c.sha)}
            </span>
            {c.subject}{' '}
            <Typography variant="caption" color="textSecondary">
              {c.author}, {relativeTime(c.date)}
            </Typography>
          </li>
        ))}
      </ol>
      <Typography variant="subtitle1" component="h3">
        {change.files.length} file{change.files.length === 1 ? '' : 's'} changed
      </Typography>
      {change.truncated ? (
        <Typography variant="body2" data-testid="pending-truncated">
          The diff is too large to show here:{' '}
          {change.files.map(f => `${f.path} (${f.status})`).join(', ')}.
        </Typography>
      ) : (
        <DiffView diff={change.diff} testId="pending-diff" />
      )}
    </div>
  );
}

/**
 * What the next sync of an environment applies: the commits between the
 * revision it applied and the one its source holds, and their diff under
 * the Kustomization's path and its bases; Sync where the user may.
 */
export function PendingChangeDialog(props: {
  environment?: string;
  liveIds?: string[];
  onSync?: () => void;
  onClose: () => void;
}) {
  const { environment, liveIds, onSync, onClose } = props;
  if (!environment) {
    return null;
  }
  return (
    <WideDialog
      titleId="gitops-pending-title"
      title={`What the next sync of ${environment} applies`}
      onClose={onClose}
      actions={
        <>
          <Box flexGrow={1} />
          <Button onClick={onClose}>Close</Button>
          {onSync && (
            <Button variant="contained" color="primary" onClick={onSync}>
              Sync
            </Button>
          )}
        </>
      }
    >
      <PendingLoader environment={environment} liveIds={liveIds} />
    </WideDialog>
  );
}

function PendingLoader(props: { environment: string; liveIds?: string[] }) {
  const { entity } = useEntity();
  const { value, loading, error } = usePendingChange(
    getCompoundEntityRef(entity),
    props.environment,
    props.liveIds,
  );
  if (!value && loading) {
    return <Progress />;
  }
  if (!value) {
    return <ResponseErrorPanel error={error ?? new Error('no answer')} />;
  }
  return <PendingView change={value} />;
}
