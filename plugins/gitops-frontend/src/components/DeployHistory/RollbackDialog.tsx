import { useState } from 'react';
import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  Progress,
  ResponseErrorPanel,
  WarningPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import { DeployRecord } from '@gitops-backstage/plugin-gitops-common';
import useAsync from 'react-use/esm/useAsync';
import { gitopsApiRef } from '../../api';
import { apiErrorMessage } from '../shared';
import { DeployProgress } from './DeployProgress';
import { DiffView } from './DiffView';

/** Restores the overlay of a past deploy: diff first, then a new commit. */
export function RollbackDialog(props: {
  entityRef: CompoundEntityRef;
  target: DeployRecord;
  onClose: () => void;
}) {
  const { entityRef, target, onClose } = props;
  const api = useApi(gitopsApiRef);
  const preview = useAsync(
    () => api.previewRollback(entityRef, target.id),
    [api, entityRef, target.id],
  );
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const [deploy, setDeploy] = useState<DeployRecord>();

  const run = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setDeploy(
        (await api.rollback(entityRef, target.id, message || undefined)).deploy,
      );
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open onClose={onClose} maxWidth="md" fullWidth>
      <DialogTitle>
        Roll back {target.environment} to {target.commitSha?.slice(0, 7)}{' '}
        (deploy #{target.id})
      </DialogTitle>
      <DialogContent>
        {preview.loading && <Progress />}
        {preview.error && <ResponseErrorPanel error={preview.error} />}
        {preview.value && !deploy && (
          <>
            <DiffView diff={preview.value.diff} />
            <TextField
              label="Commit message"
              placeholder={`Roll back ${
                target.environment
              } to ${target.commitSha?.slice(0, 7)} (deploy #${target.id})`}
              value={message}
              onChange={e => setMessage(e.target.value)}
              fullWidth
              margin="normal"
              inputProps={{ 'aria-label': 'Commit message' }}
            />
          </>
        )}
        {deploy && <DeployProgress entityRef={entityRef} deploy={deploy} />}
        {busy && <Progress />}
        {error && (
          <WarningPanel
            severity="error"
            title="The rollback did not go through"
            message={apiErrorMessage(error)}
          />
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>{deploy ? 'Close' : 'Cancel'}</Button>
        {!deploy && (
          <Button
            color="primary"
            variant="contained"
            disabled={busy || !preview.value}
            onClick={run}
          >
            Roll back
          </Button>
        )}
      </DialogActions>
    </Dialog>
  );
}
