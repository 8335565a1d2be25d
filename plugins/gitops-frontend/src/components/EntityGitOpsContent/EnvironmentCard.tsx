import { InfoCard, Link } from '@backstage/core-components';
import {
  EnvironmentStatus,
  FluxObjectStatus,
  FluxRetry,
} from '@gitops-backstage/plugin-gitops-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import MuiLink from '@material-ui/core/Link';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { ActionPermissions, PendingAction } from '../../hooks';
import {
  commitUrl,
  relativeTime,
  SyncStateLabel,
  TruncatedText,
} from '../shared';
import { EnvironmentDrift } from './EnvironmentDrift';

const WORKLOAD_KINDS = new Set(['Kustomization', 'HelmRelease']);
const ALL_ACTIONS: ActionPermissions = {
  reconcile: true,
  suspend: true,
  deploy: true,
  loading: false,
};

const useStyles = makeStyles(theme => ({
  facts: {
    display: 'grid',
    gridTemplateColumns: 'max-content minmax(0, 1fr)',
    columnGap: theme.spacing(2),
    rowGap: theme.spacing(0.5),
    margin: 0,
    '& dt': { color: theme.palette.text.secondary, whiteSpace: 'nowrap' },
    '& dd': { margin: 0, minWidth: 0, whiteSpace: 'nowrap' },
  },
  actions: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
    marginTop: theme.spacing(1.5),
  },
}));

const sameObject = (
  ref: { kind: string; name: string; namespace: string } | undefined,
  o: FluxObjectStatus,
) =>
  ref !== undefined &&
  o.kind === ref.kind &&
  o.name === ref.name &&
  o.namespace === ref.namespace;

/**
 * How the applied revision compares with what the source last fetched;
 * `pending` when a GitRepository holds a commit not applied yet (what the
 * next sync applies can be shown).
 */
function sourceLag(
  workload?: FluxObjectStatus,
  source?: FluxObjectStatus,
): { text: string; behind: boolean; pending?: boolean } {
  if (!workload || !source) {
    return { text: '—', behind: false };
  }
  if (source.state === 'Failed') {
    return {
      text: `source failing: ${source.reason ?? 'error'}`,
      behind: true,
    };
  }
  // A HelmRelease's revision is its chart version, not a commit.
  if (workload.kind !== 'Kustomization' || !source.revision) {
    return { text: source.shortRevision ?? '—', behind: false };
  }
  if (workload.revision === source.revision) {
    return { text: 'up to date', behind: false };
  }
  return {
    text: `behind: ${source.shortRevision ?? source.revision}`,
    behind: true,
    pending: source.kind === 'GitRepository',
  };
}

/**
 * A Failed environment is retrying when Flux retries every failing object
 * in it; the counts are those of its failing Kustomization or HelmRelease.
 */
function environmentRetry(
  environment: EnvironmentStatus,
): FluxRetry | undefined {
  const failing = environment.objects.filter(o => o.state === 'Failed');
  if (environment.state !== 'Failed' || !failing.every(o => o.retrying)) {
    return undefined;
  }
  return (failing.find(o => WORKLOAD_KINDS.has(o.kind)) ?? failing[0])
    ?.retrying;
}

/**
 * Where one environment stands: state, revision (linked to its commit),
 * how it compares with its source, last change, message and its actions.
 */
export function EnvironmentCard(props: {
  environment: EnvironmentStatus;
  repoUrlOf: (object: FluxObjectStatus) => string | undefined;
  onAction: (action: PendingAction) => void;
  /** Offered for Kustomization environments; Helm values change in Git. */
  onDeploy?: (environment: string) => void;
  /**
   * The title of a cluster by name, where the portal reads more than one
   * (an entity's environments may then live on different clusters).
   */
  clusterTitleOf?: (cluster: string) => string;
  /** Why the portal cannot act on this environment now (its cluster is unreachable). */
  unavailable?: string;
  /** The actions the signed-in user may take (all, when not given). */
  permissions?: ActionPermissions;
  /** Opens the drift of the environment's Kustomization or HelmRelease. */
  onDrift?: (object: FluxObjectStatus) => void;
  /** Kubernetes-ids whose change signals reload the drift. */
  liveIds?: string[];
  /** Opens what the next sync applies (the source holds a newer commit). */
  onPending?: (environment: string) => void;
}) {
  const {
    environment,
    repoUrlOf,
    onAction,
    onDeploy,
    clusterTitleOf,
    unavailable,
    permissions = ALL_ACTIONS,
    onDrift,
    liveIds,
    onPending,
  } = props;
  const classes = useStyles();
  const workload =
    environment.objects.find(o => WORKLOAD_KINDS.has(o.kind)) ??
    environment.objects[0];
  const source = environment.objects.find(o => sameObject(workload?.source, o));
  const link = workload && commitUrl(repoUrlOf(workload), environment.revision);
  const lag = sourceLag(workload, source);
  const actionable =
    workload && WORKLOAD_KINDS.has(workload.kind) && !workload.readOnly;
  const mayAct =
    permissions.reconcile || permissions.suspend || permissions.deploy;

  return (
    <InfoCard
      title={environment.name}
      subheader={
        workload
          ? `${workload.kind} in ${workload.namespace}${
              clusterTitleOf ? ` on ${clusterTitleOf(workload.cluster)}` : ''
            }`
          : ''
      }
      noPadding={false}
    >
      <div data-testid={`environment-${environment.name}`}>
        <Typography variant="h6" component="div">
          <SyncStateLabel
            state={environment.state}
            retrying={environmentRetry(environment)}
          />
        </Typography>
        <dl className={classes.facts}>
          <dt>Revision</dt>
          <dd>
            {link ? (
              <Link to={link}>{environment.shortRevision}</Link>
            ) : (
              environment.shortRevision ?? '—'
            )}
          </dd>
          <dt>Source</dt>
          <dd>
            {/* Bold, not red: the words carry it, and red text on the
                card fails contrast in both themes. */}
            <Typography
              variant="body2"
              component="span"
              style={{ fontWeight: lag.behind ? 700 : undefined }}
            >
              <TruncatedText text={lag.text} />
            </Typography>
            {onPending && permissions.deploy && lag.pending && (
              <>
                {' '}
                <MuiLink
                  component="button"
                  variant="body2"
                  data-testid="pending-open"
                  onClick={() => onPending(environment.name)}
                >
                  what changes
                </MuiLink>
              </>
            )}
          </dd>
          <dt>Last change</dt>
          <dd>{relativeTime(environment.lastTransitionTime)}</dd>
          {onDrift && workload && WORKLOAD_KINDS.has(workload.kind) && (
            <>
              <dt>Drift</dt>
              <dd>
                <EnvironmentDrift
                  object={workload}
                  liveIds={liveIds}
                  onOpen={onDrift}
                />
              </dd>
            </>
          )}
          <dt>Message</dt>
          <dd>
            <Typography variant="body2" component="span" color="textSecondary">
              <TruncatedText text={environment.message} />
            </Typography>
          </dd>
        </dl>
        {workload?.readOnly && (
          <Typography variant="body2" data-testid="read-only">
            Read-only: {workload.readOnly}
          </Typography>
        )}
        {actionable && unavailable && (
          <Typography variant="body2" data-testid="actions-unavailable">
            Actions unavailable: {unavailable}
          </Typography>
        )}
        {actionable && !unavailable && !mayAct && !permissions.loading && (
          <Typography variant="body2" data-testid="actions-not-yours">
            Actions are for the entity's owners.
          </Typography>
        )}
        {actionable && !unavailable && mayAct && (
          <Box className={classes.actions}>
            {permissions.reconcile && !workload.suspended && (
              <Button
                size="small"
                variant="outlined"
                color="primary"
                aria-label={`Sync ${environment.name}`}
                onClick={() =>
                  onAction({ type: 'reconcile', object: workload })
                }
              >
                Sync
              </Button>
            )}
            {permissions.suspend && workload.suspended && (
              <Button
                size="small"
                variant="outlined"
                aria-label={`Resume ${environment.name}`}
                onClick={() => onAction({ type: 'resume', object: workload })}
              >
                Resume
              </Button>
            )}
            {permissions.suspend && !workload.suspended && (
              <Button
                size="small"
                variant="outlined"
                aria-label={`Suspend ${environment.name}`}
                onClick={() => onAction({ type: 'suspend', object: workload })}
              >
                Suspend
              </Button>
            )}
            {onDeploy &&
              permissions.deploy &&
              workload.kind === 'Kustomization' && (
                <Button
                  size="small"
                  variant="outlined"
                  aria-label={`Deploy to ${environment.name}`}
                  onClick={() => onDeploy(environment.name)}
                >
                  Deploy…
                </Button>
              )}
          </Box>
        )}
      </div>
    </InfoCard>
  );
}
