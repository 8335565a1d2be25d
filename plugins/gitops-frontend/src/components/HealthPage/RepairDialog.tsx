import { useState } from 'react';
import {
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  List,
  ListItem,
  ListItemText,
  Typography,
} from '@material-ui/core';
import WarningIcon from '@material-ui/icons/ReportProblemOutlined';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  RepairRecord,
  RepairRequest,
} from '@gitops-backstage/plugin-gitops-common';
import { gitopsApiRef } from '../../api';
import { useRepairPlan } from '../../hooks';

/** Shows what a repair will change, applies it on confirmation. */
export function RepairDialog(props: {
  request: RepairRequest;
  onClose: (record?: RepairRecord) => void;
}) {
  const { request, onClose } = props;
  const api = useApi(gitopsApiRef);
  const plan = useRepairPlan(request);
  const [applying, setApplying] = useState(false);
  const [error, setError] = useState<Error>();
  const [record, setRecord] = useState<RepairRecord>();

  const apply = async () => {
    setApplying(true);
    setError(undefined);
    try {
      // The plan shown is the plan applied: the backend refuses (409) if
      // the cluster moved since.
      setRecord(
        await api.applyRepair({ ...request, planDigest: plan.value?.digest }),
      );
    } catch (e) {
      setError(e as Error);
    } finally {
      setApplying(false);
    }
  };

  return (
    <Dialog
      open
      onClose={() => onClose(record)}
      maxWidth="md"
      fullWidth
      aria-labelledby="gitops-repair-title"
    >
      <DialogTitle id="gitops-repair-title">
        Repair: {plan.value?.summary ?? request.type}
      </DialogTitle>
      <DialogContent>
        {plan.loading && <Progress />}
        {plan.error && <ResponseErrorPanel error={plan.error} />}
        {plan.value && (
          <>
            <Typography variant="subtitle2">What will change</Typography>
            <List dense>
              {plan.value.steps.map((step, i) => (
                <ListItem key={i}>
                  <ListItemText
                    primary={`${step.action} ${step.object.kind} ${
                      step.object.namespace ? `${step.object.namespace}/` : ''
                    }${step.object.name}`}
                    secondary={step.description}
                  />
                </ListItem>
              ))}
              {plan.value.steps.length === 0 && (
                <ListItem>
                  <ListItemText primary="Nothing to change." />
                </ListItem>
              )}
            </List>
            {/* In the text colour with an icon and a word: the theme's red
                on the dialog fails contrast, and colour is never the only
                signal. */}
            {plan.value.warnings.map(w => (
              <Box key={w} display="flex" alignItems="flex-start" mt={1}>
                <WarningIcon
                  fontSize="small"
                  color="error"
                  aria-hidden
                  style={{ marginRight: 8 }}
                />
                <Typography variant="body2">
                  <b>Warning:</b> <span>{w}</span>
                </Typography>
              </Box>
            ))}
          </>
        )}
        {error && <ResponseErrorPanel error={error} />}
        {record && (
          <Typography
            variant="body1"
            color={record.outcome === 'applied' ? 'primary' : 'error'}
          >
            {record.outcome === 'applied'
              ? `Applied by ${record.actor}; recorded in the audit log.`
              : `Failed: ${record.error}`}
          </Typography>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={() => onClose(record)}>
          {record ? 'Close' : 'Cancel'}
        </Button>
        {!record && (
          <Button
            color="primary"
            variant="contained"
            disabled={!plan.value || plan.value.steps.length === 0 || applying}
            onClick={apply}
          >
            {applying ? 'Applying…' : 'Apply repair'}
          </Button>
        )}
      </DialogActions>
    </Dialog>
  );
}
