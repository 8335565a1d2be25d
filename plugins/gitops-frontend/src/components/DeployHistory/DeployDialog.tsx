import { useState } from 'react';
import { CompoundEntityRef } from '@backstage/catalog-model';
import { Progress, WarningPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Grid from '@material-ui/core/Grid';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import {
  DeployPreview,
  DeployRecord,
} from '@gitops-backstage/plugin-gitops-common';
import { gitopsApiRef } from '../../api';
import { apiErrorMessage } from '../shared';
import { DeployProgress } from './DeployProgress';
import { DiffView } from './DiffView';
import {
  DeployFormValues,
  emptyDeployForm,
  readDeployForm,
} from './deployForm';

type Step = 'form' | 'preview' | 'deploying';

/** Why an environment is not offered; the backend refuses it too (400). */
const NOT_DEPLOYABLE =
  'not deployed by one Flux Kustomization (a HelmRelease changes through its values in Git)';

/**
 * Deploy through Git: form → YAML preview and diff → commit message →
 * deploy → live progress until Flux applied it or failed.
 */
export function DeployDialog(props: {
  entityRef: CompoundEntityRef;
  environments: string[];
  /**
   * Those a portal deploy can change (one Kustomization each); the others
   * are shown disabled with the reason. All of them when not given.
   */
  deployable?: string[];
  /** Preselected, e.g. from an environment card's Deploy button. */
  initialEnvironment?: string;
  onClose: (deployed?: DeployRecord) => void;
}) {
  const { entityRef, environments, initialEnvironment, onClose } = props;
  const deployable = props.deployable ?? environments;
  const api = useApi(gitopsApiRef);
  const [values, setValues] = useState<DeployFormValues>(
    emptyDeployForm(initialEnvironment ?? deployable[0] ?? ''),
  );
  const [step, setStep] = useState<Step>('form');
  const [preview, setPreview] = useState<DeployPreview>();
  const [message, setMessage] = useState('');
  const [deploy, setDeploy] = useState<DeployRecord>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const { changes, errors } = readDeployForm(values);
  const nothingSet = Object.keys(changes).length === 0;

  const field = (name: keyof DeployFormValues, label: string, extra = {}) => (
    <TextField
      label={label}
      value={values[name]}
      onChange={e => setValues({ ...values, [name]: e.target.value })}
      error={Boolean(errors[name])}
      helperText={errors[name]}
      fullWidth
      margin="dense"
      inputProps={{ 'aria-label': label }}
      {...extra}
    />
  );

  const runPreview = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const result = await api.previewDeploy(entityRef, {
        environment: values.environment,
        changes,
      });
      setPreview(result);
      setMessage(
        message ||
          `Deploy ${changes.image ?? 'changes'} to ${values.environment}`,
      );
      setStep('preview');
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };

  const runDeploy = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const result = await api.deploy(entityRef, {
        environment: values.environment,
        changes,
        message,
        expectedOverlayDigest: preview?.overlayDigest,
      });
      setDeploy(result.deploy);
      setStep('deploying');
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };

  const patchFile = preview?.files.find(f =>
    f.path.endsWith('gitops-deploy-patch.yaml'),
  );

  return (
    <Dialog
      open
      onClose={() => onClose(deploy)}
      maxWidth="md"
      fullWidth
      aria-labelledby="gitops-deploy-title"
    >
      <DialogTitle id="gitops-deploy-title">Deploy through Git</DialogTitle>
      <DialogContent>
        {step === 'form' && (
          <Grid container spacing={2}>
            <Grid item xs={12} md={4}>
              {field('environment', 'Environment', {
                select: true,
                // Labelled by its label and its shown value (MUI does that
                // given an id); an aria-label would hide the value.
                id: 'gitops-deploy-environment',
                inputProps: {},
                children: environments.map(e =>
                  deployable.includes(e) ? (
                    <MenuItem key={e} value={e}>
                      {e}
                    </MenuItem>
                  ) : (
                    <MenuItem key={e} value={e} disabled>
                      {e}: {NOT_DEPLOYABLE}
                    </MenuItem>
                  ),
                ),
              })}
            </Grid>
            <Grid item xs={12} md={5}>
              {field('image', 'Image', { placeholder: 'registry/name:tag' })}
            </Grid>
            <Grid item xs={12} md={3}>
              {field('replicas', 'Replicas', { type: 'number' })}
            </Grid>
            <Grid item xs={12}>
              {field('env', 'Environment variables (NAME=value per line)', {
                multiline: true,
                minRows: 2,
              })}
            </Grid>
            <Grid item xs={6} md={3}>
              {field('cpuRequest', 'CPU request', { placeholder: '100m' })}
            </Grid>
            <Grid item xs={6} md={3}>
              {field('memoryRequest', 'Memory request', {
                placeholder: '128Mi',
              })}
            </Grid>
            <Grid item xs={6} md={3}>
              {field('cpuLimit', 'CPU limit', { placeholder: '500m' })}
            </Grid>
            <Grid item xs={6} md={3}>
              {field('memoryLimit', 'Memory limit', { placeholder: '256Mi' })}
            </Grid>
          </Grid>
        )}
        {step === 'preview' && preview && (
          <>
            <Typography variant="body2" gutterBottom>
              {preview.repoUrl} · branch {preview.branch} at{' '}
              {preview.baseCommit.slice(0, 7)} · overlay {preview.overlayPath}
              {' · '}Deployment {preview.target.deployment}, container{' '}
              {preview.target.container}
            </Typography>
            <Typography variant="subtitle2">Diff</Typography>
            <DiffView diff={preview.diff} />
            {patchFile && (
              <>
                <Typography variant="subtitle2">
                  Resulting {patchFile.path}
                </Typography>
                <DiffView diff={patchFile.after} testId="deploy-yaml" />
              </>
            )}
            <TextField
              label="Commit message"
              value={message}
              onChange={e => setMessage(e.target.value)}
              fullWidth
              multiline
              margin="normal"
              required
              error={!message.trim()}
              inputProps={{ 'aria-label': 'Commit message' }}
            />
          </>
        )}
        {step === 'deploying' && deploy && (
          <DeployProgress entityRef={entityRef} deploy={deploy} />
        )}
        {busy && <Progress />}
        {error && (
          <WarningPanel
            severity="error"
            title="The deploy did not go through"
            message={apiErrorMessage(error)}
          />
        )}
      </DialogContent>
      <DialogActions>
        {step === 'preview' && (
          <Button onClick={() => setStep('form')} disabled={busy}>
            Back
          </Button>
        )}
        <Button onClick={() => onClose(deploy)}>
          {step === 'deploying' ? 'Close' : 'Cancel'}
        </Button>
        {step === 'form' && (
          <Button
            color="primary"
            variant="contained"
            onClick={runPreview}
            disabled={busy || nothingSet || Object.keys(errors).length > 0}
          >
            Preview
          </Button>
        )}
        {step === 'preview' && (
          <Button
            color="primary"
            variant="contained"
            onClick={runDeploy}
            disabled={busy || !message.trim() || preview?.empty}
          >
            Deploy
          </Button>
        )}
      </DialogActions>
    </Dialog>
  );
}
