import { Link } from '@backstage/core-components';
import { CommitRangeChange } from '@gitops-backstage/plugin-gitops-common';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { relativeTime } from '../shared';
import { DiffView } from './DiffView';

const useStyles = makeStyles(theme => ({
  commits: { margin: theme.spacing(1, 0, 2), paddingLeft: theme.spacing(3) },
  sha: { fontFamily: 'monospace', marginRight: theme.spacing(1) },
  section: { marginTop: theme.spacing(2) },
}));

export const shortSha = (sha?: string) => sha?.slice(0, 7) ?? '—';

/**
 * The commits between two revisions that touch an environment's paths,
 * the files they changed and the unified diff; `testIdPrefix` names the
 * parts for tests (`<prefix>-commits`, `<prefix>-diff`).
 */
export function CommitRangeView(props: {
  change: CommitRangeChange;
  testIdPrefix: string;
}) {
  const { change, testIdPrefix } = props;
  const classes = useStyles();
  const others = change.commitsBetween - change.commits.length;
  return (
    <>
      <Typography variant="body2">
        Compared: {change.paths.map(p => p || '(repository root)').join(', ')}.
      </Typography>
      <Typography
        variant="subtitle1"
        component="h3"
        className={classes.section}
      >
        {change.commits.length} commit{change.commits.length === 1 ? '' : 's'}{' '}
        touching them
        {others > 0 ? ` (and ${others} elsewhere in the repository)` : ''}
      </Typography>
      <ol className={classes.commits} data-testid={`${testIdPrefix}-commits`}>
        {change.commits.map(c => (
          <li key={c.sha}>
            <span className={classes.sha}>
              {c.url ? (
                <Link to={c.url}>{shortSha(c.sha)}</Link>
              ) : (
                shortSha(c.sha)
              )}
            </span>
            {c.subject}{' '}
            <Typography variant="caption" color="textSecondary">
              {c.author}, {relativeTime(c.date)}
            </Typography>
          </li>
        ))}
      </ol>
      <Typography variant="subtitle1" component="h3">
        {change.files.length} file{change.files.length === 1 ? '' : 's'} changed
      </Typography>
      {change.truncated ? (
        <Typography variant="body2" data-testid={`${testIdPrefix}-truncated`}>
          The diff is too large to show here:{' '}
          {change.files.map(f => `${f.path} (${f.status})`).join(', ')}.
        </Typography>
      ) : (
        <DiffView diff={change.diff} testId={`${testIdPrefix}-diff`} />
      )}
    </>
  );
}
