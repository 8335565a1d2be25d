import { Table } from '@backstage/core-components';
import {
  FluxObjectStatus,
  SyncState,
} from '@gitops-backstage/plugin-gitops-common';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import {
  byUrgency,
  fluxObjectColumns,
  STATE_ORDER,
  SyncStateLabel,
} from '../shared';
import {
  matchesFilter,
  ObjectFilterBar,
  useObjectFilter,
} from './objectFilters';

const useStyles = makeStyles(theme => ({
  counts: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
    alignItems: 'center',
    marginBottom: theme.spacing(2),
  },
  count: { fontWeight: 700, marginLeft: theme.spacing(1) },
}));

const columns = fluxObjectColumns({ where: true });

function countBy(
  objects: FluxObjectStatus[],
  key: (o: FluxObjectStatus) => string,
) {
  const counts = new Map<string, number>();
  for (const o of objects) {
    counts.set(key(o), (counts.get(key(o)) ?? 0) + 1);
  }
  return counts;
}

/**
 * Counts by state and cluster (each a filter), the filters themselves, and
 * the objects, failing first. Every filter lives in the URL.
 */
export function FluxObjectsOverview(props: { objects: FluxObjectStatus[] }) {
  const { objects } = props;
  const classes = useStyles();
  const filters = useObjectFilter();
  const { filter, setFilter } = filters;
  const toggle = (key: 'state' | 'cluster', value: string) =>
    setFilter(key, filter[key] === value ? '' : value);

  const byState = countBy(objects, o => o.state);
  const byCluster = countBy(objects, o => o.cluster);
  const shown = objects.filter(o => matchesFilter(o, filter)).sort(byUrgency);

  return (
    <>
      <section aria-label="Counts by state" className={classes.counts}>
        <Typography variant="subtitle2" component="span">
          By state
        </Typography>
        {STATE_ORDER.filter(s => byState.has(s)).map(state => (
          <Button
            key={state}
            size="small"
            variant={filter.state === state ? 'contained' : 'outlined'}
            aria-pressed={filter.state === state}
            onClick={() => toggle('state', state)}
            data-testid={`count-state-${state}`}
          >
            <SyncStateLabel state={state as SyncState} />
            <span className={classes.count}>{byState.get(state)}</span>
          </Button>
        ))}
      </section>
      <section aria-label="Counts by cluster" className={classes.counts}>
        <Typography variant="subtitle2" component="span">
          By cluster
        </Typography>
        {[...byCluster.keys()].sort().map(cluster => (
          <Button
            key={cluster}
            size="small"
            variant={filter.cluster === cluster ? 'contained' : 'outlined'}
            aria-pressed={filter.cluster === cluster}
            onClick={() => toggle('cluster', cluster)}
            data-testid={`count-cluster-${cluster}`}
          >
            {cluster}
            <span className={classes.count}>{byCluster.get(cluster)}</span>
          </Button>
        ))}
      </section>
      <ObjectFilterBar objects={objects} filters={filters} />
      <Table
        title={`Flux objects (${shown.length} of ${objects.length})`}
        options={{
          // No drag handles: they nest buttons in the header buttons.
          draggable: false,
          paging: true,
          pageSize: 50,
          pageSizeOptions: [20, 50, 100],
          padding: 'dense',
          tableLayout: 'fixed',
          search: false,
        }}
        data={shown}
        columns={columns}
      />
    </>
  );
}
