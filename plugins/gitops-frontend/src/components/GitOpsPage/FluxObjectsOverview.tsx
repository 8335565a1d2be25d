import { useSearchParams } from 'react-router-dom';
import { Table } from '@backstage/core-components';
import {
  FluxObjectStatus,
  SyncState,
} from '@gitops-backstage/plugin-gitops-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import {
  byUrgency,
  fluxObjectColumns,
  STATE_ORDER,
  SyncStateLabel,
} from '../shared';

/** The filters, as URL query parameters so a filtered view can be shared. */
const FILTER_KEYS = ['state', 'cluster', 'kind', 'namespace', 'q'] as const;
type FilterKey = (typeof FILTER_KEYS)[number];

const useStyles = makeStyles(theme => ({
  counts: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
    alignItems: 'center',
    marginBottom: theme.spacing(2),
  },
  filters: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(2),
    alignItems: 'flex-end',
    marginBottom: theme.spacing(2),
  },
  select: { minWidth: 160 },
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

function matches(
  o: FluxObjectStatus,
  filter: Partial<Record<FilterKey, string>>,
) {
  const q = filter.q?.trim().toLowerCase();
  return (
    (!filter.state || o.state === filter.state) &&
    (!filter.cluster || o.cluster === filter.cluster) &&
    (!filter.kind || o.kind === filter.kind) &&
    (!filter.namespace || o.namespace === filter.namespace) &&
    (!q ||
      [o.name, o.namespace, o.kind, o.message, o.environment ?? '']
        .join(' ')
        .toLowerCase()
        .includes(q))
  );
}

/**
 * Counts by state and cluster (each a filter), the filters themselves, and
 * the objects, failing first. Every filter lives in the URL.
 */
export function FluxObjectsOverview(props: { objects: FluxObjectStatus[] }) {
  const { objects } = props;
  const classes = useStyles();
  const [params, setParams] = useSearchParams();
  const filter = Object.fromEntries(
    FILTER_KEYS.map(key => [key, params.get(key) ?? '']),
  ) as Record<FilterKey, string>;

  const setFilter = (key: FilterKey, value: string) => {
    const next = new URLSearchParams(params);
    if (value) {
      next.set(key, value);
    } else {
      next.delete(key);
    }
    setParams(next, { replace: true });
  };
  const toggle = (key: FilterKey, value: string) =>
    setFilter(key, filter[key] === value ? '' : value);

  const byState = countBy(objects, o => o.state);
  const byCluster = countBy(objects, o => o.cluster);
  const options = (key: (o: FluxObjectStatus) => string) =>
    [...new Set(objects.map(key))].sort();
  const shown = objects.filter(o => matches(o, filter)).sort(byUrgency);

  const select = (key: FilterKey, label: string, values: string[]) => (
    <TextField
      select
      label={label}
      value={filter[key]}
      onChange={e => setFilter(key, e.target.value)}
      className={classes.select}
      SelectProps={{ inputProps: { 'aria-label': label } }}
    >
      <MenuItem value="">all</MenuItem>
      {values.map(v => (
        <MenuItem key={v} value={v}>
          {v}
        </MenuItem>
      ))}
    </TextField>
  );

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
      <Box className={classes.filters} role="search">
        {select(
          'state',
          'State',
          STATE_ORDER.filter(s => byState.has(s)),
        )}
        {select(
          'cluster',
          'Cluster',
          options(o => o.cluster),
        )}
        {select(
          'kind',
          'Kind',
          options(o => o.kind),
        )}
        {select(
          'namespace',
          'Namespace',
          options(o => o.namespace),
        )}
        <TextField
          label="Search"
          value={filter.q}
          onChange={e => setFilter('q', e.target.value)}
          inputProps={{ 'aria-label': 'Search Flux objects' }}
        />
        {FILTER_KEYS.some(key => filter[key]) && (
          <Button
            size="small"
            onClick={() => setParams(new URLSearchParams(), { replace: true })}
          >
            Clear filters
          </Button>
        )}
      </Box>
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
