import { useSearchParams } from 'react-router-dom';
import { FluxObjectStatus } from '@gitops-backstage/plugin-gitops-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import { makeStyles } from '@material-ui/core/styles';
import { STATE_ORDER } from '../shared';

/** The filters, as URL query parameters so a filtered view can be shared. */
const FILTER_KEYS = ['state', 'cluster', 'kind', 'namespace', 'q'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export type ObjectFilter = Record<FilterKey, string>;

const useStyles = makeStyles(theme => ({
  filters: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(2),
    alignItems: 'flex-end',
    marginBottom: theme.spacing(2),
  },
  select: { minWidth: 160 },
}));

/** Whether a Flux object passes the filters. */
export function matchesFilter(o: FluxObjectStatus, filter: ObjectFilter) {
  const q = filter.q.trim().toLowerCase();
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

/** The GitOps page's filters, read from and written to the URL. */
export function useObjectFilter() {
  const [params, setParams] = useSearchParams();
  const filter = Object.fromEntries(
    FILTER_KEYS.map(key => [key, params.get(key) ?? '']),
  ) as ObjectFilter;
  const setFilter = (key: FilterKey, value: string) => {
    const next = new URLSearchParams(params);
    if (value) {
      next.set(key, value);
    } else {
      next.delete(key);
    }
    setParams(next, { replace: true });
  };
  return {
    filter,
    setFilter,
    active: FILTER_KEYS.some(key => filter[key]),
    clear: () => setParams(new URLSearchParams(), { replace: true }),
  };
}

/** State, cluster, kind and namespace to pick from the objects, a search, and clear. */
export function ObjectFilterBar(props: {
  objects: FluxObjectStatus[];
  filters: ReturnType<typeof useObjectFilter>;
}) {
  const { objects } = props;
  const { filter, setFilter, active, clear } = props.filters;
  const classes = useStyles();
  const options = (key: (o: FluxObjectStatus) => string) =>
    [...new Set(objects.map(key))].sort();
  const states = new Set(objects.map(o => o.state));

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
    <Box className={classes.filters} role="search">
      {select(
        'state',
        'State',
        STATE_ORDER.filter(s => states.has(s)),
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
      {active && (
        <Button size="small" onClick={clear}>
          Clear filters
        </Button>
      )}
    </Box>
  );
}
