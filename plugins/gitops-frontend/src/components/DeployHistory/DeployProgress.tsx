import { Link } from '@backstage/core-components';
import { CompoundEntityRef } from '@backstage/catalog-model';
import Typography from '@material-ui/core/Typography';
import { DeployRecord } from '@gitops-backstage/plugin-gitops-common';
import { useFollowDeploy } from '../../hooks';
import { DeployStatusLabel } from './DeployStatusLabel';

/** Follows a deploy until Flux applied it or it failed. */
export function DeployProgress(props: {
  entityRef: CompoundEntityRef;
  deploy: DeployRecord;
  onDone?: (deploy: DeployRecord) => void;
}) {
  const deploy = useFollowDeploy(props.entityRef, props.deploy, props.onDone);

  return (
    <div data-testid="deploy-progress">
      <Typography variant="body1">
        Deploy #{deploy.id} to {deploy.environment}:{' '}
        <DeployStatusLabel status={deploy.status} />
      </Typography>
      {deploy.commitSha && (
        <Typography variant="body2">
          Commit{' '}
          {deploy.commitUrl ? (
            <Link to={deploy.commitUrl}>{deploy.commitSha.slice(0, 7)}</Link>
          ) : (
            deploy.commitSha.slice(0, 7)
          )}
          : {deploy.commitMessage}
        </Typography>
      )}
      {deploy.status === 'failed' && (
        <Typography variant="body2" color="error">
          {deploy.reason}: {deploy.message}
        </Typography>
      )}
      {deploy.status === 'succeeded' && (
        <Typography variant="body2">
          Flux applied it: {deploy.message}
        </Typography>
      )}
    </div>
  );
}
