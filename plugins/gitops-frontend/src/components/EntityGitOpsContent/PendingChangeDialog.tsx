import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { getCompoundEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { PendingChange } from '@gitops-backstage/plugin-gitops-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { usePendingChange } from '../../hooks';
import { CommitRangeView, shortSha } from '../DeployHistory';
import { WideDialog } from '../shared';

function PendingView(props: { change: PendingChange }) {
  const { change } = props;
  if (!change.pending) {
    return (
      <Typography variant="body1" data-testid="pending-none">
        Nothing pending: the environment applied{' '}
        {shortSha(change.appliedCommit)}, the commit its source holds.
      </Typography>
    );
  }
  return (
    <div data-testid="pending-change">
      <Typography variant="body2">
        Applied {shortSha(change.appliedCommit)}; the source holds{' '}
        {shortSha(change.sourceCommit)}
        {change.suspended
          ? ' — the Kustomization is suspended, so nothing is applied until it is resumed.'
          : '.'}
      </Typography>
      <CommitRangeView change={change} testIdPrefix="pending" />
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
