import { useEffect, useState } from 'react';
import { Link } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { CompoundEntityRef } from '@backstage/catalog-model';
import Typography from '@material-ui/core/Typography';
import { DeployRecord } from '@gitops-backstage/plugin-gitops-common';
import { gitopsApiRef } from '../../api';
import { DeployStatusLabel } from './DeployStatusLabel';

const POLL_MS = 1500;

/** Follows a deploy until Flux applied it or it failed. */
export function DeployProgress(props: {
  entityRef: CompoundEntityRef;
  deploy: DeployRecord;
  onDone?: (deploy: DeployRecord) => void;
}) {
  const { entityRef, onDone } = props;
  const api = useApi(gitopsApiRef);
  const [deploy, setDeploy] = useState(props.deploy);
  const finished = deploy.status === 'succeeded' || deploy.status === 'failed';

  useEffect(() => {
    if (finished) {
      onDone?.(deploy);
      return undefined;
    }
    const timer = setTimeout(async () => {
      try {
        setDeploy(await api.getDeploy(entityRef, deploy.id));
      } catch {
        // The next tick tries again.
        setDeploy({ ...deploy });
      }
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [api, entityRef, deploy, finished, onDone]);

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
