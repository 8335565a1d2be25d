import { useState } from 'react';
import { CompoundEntityRef } from '@backstage/catalog-model';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { DeployRecord } from '@gitops-backstage/plugin-gitops-common';
import Button from '@material-ui/core/Button';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useDeployChange } from '../../hooks';
import { relativeTime, WideDialog } from '../shared';
import { CommitRangeView, shortSha } from './CommitRangeView';

const PREVIOUS = 'previous';

/**
 * What a deploy changed in Git: its commit against the environment's
 * deploy before it, or against another row of the history chosen here.
 */
export function DeployChangeDialog(props: {
  entityRef: CompoundEntityRef;
  deploy: DeployRecord;
  /** The history rows loaded: those of the same environment with a commit can be compared. */
  rows: DeployRecord[];
  onClose: () => void;
}) {
  const { entityRef, deploy, rows, onClose } = props;
  const [since, setSince] = useState<string>(PREVIOUS);
  const others = rows.filter(
    r =>
      r.id !== deploy.id &&
      r.environment === deploy.environment &&
      r.commitSha &&
      r.commitSha !== deploy.commitSha,
  );
  return (
    <WideDialog
      titleId="gitops-deploy-change-title"
      title={`What deploy #${deploy.id} (${shortSha(deploy.commitSha)}) to ${
        deploy.environment
      } changed`}
      onClose={onClose}
      actions={<Button onClick={onClose}>Close</Button>}
    >
      <TextField
        select
        label="Compared with"
        value={since}
        onChange={e => setSince(e.target.value)}
        style={{ minWidth: 320, marginBottom: 16 }}
        inputProps={{ 'data-testid': 'deploy-change-since' }}
      >
        <MenuItem value={PREVIOUS}>the deploy before it</MenuItem>
        {others.map(r => (
          <MenuItem key={r.id} value={String(r.id)}>
            #{r.id} {shortSha(r.commitSha)}{' '}
            {r.commitMessage?.split('\n')[0] ?? ''} ({relativeTime(r.createdAt)}
            )
          </MenuItem>
        ))}
      </TextField>
      <ChangeLoader
        entityRef={entityRef}
        id={deploy.id}
        since={since === PREVIOUS ? undefined : Number(since)}
      />
    </WideDialog>
  );
}

function ChangeLoader(props: {
  entityRef: CompoundEntityRef;
  id: number;
  since?: number;
}) {
  const { value, loading, error } = useDeployChange(
    props.entityRef,
    props.id,
    props.since,
  );
  if (loading) {
    return <Progress />;
  }
  if (!value) {
    return <ResponseErrorPanel error={error ?? new Error('no answer')} />;
  }
  let base = `deploy #${value.sinceDeployId}`;
  if (value.sinceDeployId === undefined) {
    base = value.fromCommit
      ? 'its parent commit (no deploy before it)'
      : 'nothing: it is the repository’s first commit';
  }
  const range = value.fromCommit
    ? `From ${shortSha(value.fromCommit)} to ${shortSha(value.toCommit)}`
    : `Up to ${shortSha(value.toCommit)}`;
  return (
    <div data-testid="deploy-change">
      <Typography variant="body2">
        {range}, against {base}.
      </Typography>
      <CommitRangeView change={value} testIdPrefix="deploy-change" />
    </div>
  );
}
