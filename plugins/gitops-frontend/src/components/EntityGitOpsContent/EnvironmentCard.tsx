import { InfoCard, Link } from '@backstage/core-components';
import {
  EnvironmentStatus,
  FluxObjectStatus,
} from '@gitops-backstage/plugin-gitops-common';
import Typography from '@material-ui/core/Typography';
import { commitUrl, relativeTime, SyncStateLabel } from '../shared';

/** Where one environment stands: state, revision, last sync, message. */
export function EnvironmentCard(props: {
  environment: EnvironmentStatus;
  repoUrlOf: (object: FluxObjectStatus) => string | undefined;
}) {
  const { environment, repoUrlOf } = props;
  const lead = environment.objects[0];
  const link = lead && commitUrl(repoUrlOf(lead), environment.revision);
  return (
    <InfoCard title={environment.name} subheader={lead?.namespace}>
      <div data-testid={`environment-${environment.name}`}>
        <Typography variant="h6" component="div">
          <SyncStateLabel state={environment.state} />
        </Typography>
        <Typography variant="body2">
          Revision:{' '}
          {link ? (
            <Link to={link}>{environment.shortRevision}</Link>
          ) : (
            environment.shortRevision ?? '—'
          )}
        </Typography>
        <Typography variant="body2">
          Last change: {relativeTime(environment.lastTransitionTime)}
        </Typography>
        <Typography variant="body2" color="textSecondary">
          {environment.message}
        </Typography>
      </div>
    </InfoCard>
  );
}
