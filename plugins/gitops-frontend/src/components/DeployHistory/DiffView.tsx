import { makeStyles } from '@material-ui/core/styles';

const useStyles = makeStyles(theme => ({
  diff: {
    fontFamily: 'monospace',
    fontSize: 12,
    whiteSpace: 'pre',
    overflow: 'auto',
    maxHeight: 320,
    padding: theme.spacing(1),
    background: theme.palette.background.default,
  },
  added: { color: theme.palette.success?.main ?? '#2e7d32' },
  removed: { color: theme.palette.error.main },
}));

/** A unified diff with added and removed lines coloured. */
export function DiffView(props: { diff: string; testId?: string }) {
  const classes = useStyles();
  return (
    <div className={classes.diff} data-testid={props.testId ?? 'deploy-diff'}>
      {props.diff
        .split('\n')
        .filter(line => !line.startsWith('===='))
        .map((line, i) => {
          let className: string | undefined;
          if (line.startsWith('+') && !line.startsWith('+++')) {
            className = classes.added;
          } else if (line.startsWith('-') && !line.startsWith('---')) {
            className = classes.removed;
          }
          return (
            <div key={i} className={className}>
              {line || ' '}
            </div>
          );
        })}
    </div>
  );
}
