import { useState } from 'react';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import TextField from '@material-ui/core/TextField';
import { PendingAction } from '../../hooks';

/** Confirmation for reconcile / suspend / resume; suspend asks why. */
export function ActionDialog(props: {
  action?: PendingAction;
  busy: boolean;
  onCancel: () => void;
  onConfirm: (options: { withSource: boolean; reason: string }) => void;
}) {
  const { action, busy, onCancel, onConfirm } = props;
  const [withSource, setWithSource] = useState(true);
  const [reason, setReason] = useState('');
  if (!action) {
    return null;
  }
  const { object } = action;
  const what = `${object.kind} ${object.namespace}/${object.name}`;
  const titles = {
    reconcile: `Sync ${what}?`,
    suspend: `Suspend ${what}?`,
    resume: `Resume ${what}?`,
  };
  return (
    <Dialog open onClose={onCancel} aria-labelledby="gitops-action-title">
      <DialogTitle id="gitops-action-title">{titles[action.type]}</DialogTitle>
      <DialogContent>
        {action.type === 'reconcile' && (
          <>
            <DialogContentText>
              Flux applies the latest revision now instead of at its next
              interval.
            </DialogContentText>
            {object.source && (
              <FormControlLabel
                control={
                  <Checkbox
                    checked={withSource}
                    onChange={e => setWithSource(e.target.checked)}
                  />
                }
                label={`Fetch ${object.source.kind} ${object.source.name} first`}
              />
            )}
          </>
        )}
        {action.type === 'suspend' && (
          <>
            <DialogContentText>
              Flux stops applying changes until someone resumes it. The reason
              is recorded on the object.
            </DialogContentText>
            <TextField
              fullWidth
              label="Reason"
              value={reason}
              onChange={e => setReason(e.target.value)}
            />
          </>
        )}
        {action.type === 'resume' && (
          <DialogContentText>
            Flux starts applying changes again and syncs right away.
          </DialogContentText>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onCancel} disabled={busy}>
          Cancel
        </Button>
        <Button
          color="primary"
          variant="contained"
          disabled={busy || (action.type === 'suspend' && !reason.trim())}
          onClick={() => onConfirm({ withSource, reason: reason.trim() })}
        >
          {busy
            ? 'Working…'
            : { reconcile: 'Sync', suspend: 'Suspend', resume: 'Resume' }[
                action.type
              ]}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
