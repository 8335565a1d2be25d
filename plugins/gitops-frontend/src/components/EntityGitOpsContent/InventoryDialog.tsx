import { Link, Progress, ResponseErrorPanel } from '@backstage/core-components';
import { getCompoundEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  FluxObjectStatus,
  InventoryTreeGroup,
  InventoryTreeNode,
  SyncState,
} from '@gitops-backstage/plugin-gitops-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { useMemo, useState } from 'react';
import { useInventoryTree, useKubernetesTabLink } from '../../hooks';
import { SyncStateLabel } from '../shared';
import { ObjectDialog } from './ObjectDialog';

const useStyles = makeStyles(theme => ({
  filters: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(2),
    alignItems: 'flex-end',
    marginBottom: theme.spacing(2),
  },
  select: { minWidth: 180 },
  groups: { listStyle: 'none', margin: 0, paddingLeft: theme.spacing(2) },
  group: { margin: theme.spacing(0.5, 0) },
  items: { listStyle: 'none', margin: 0, paddingLeft: theme.spacing(3) },
  item: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
    alignItems: 'baseline',
    padding: theme.spacing(0.25, 0),
  },
  name: { fontFamily: 'monospace' },
}));

const UNEXPANDED: Record<
  NonNullable<InventoryTreeNode['unexpanded']>,
  string
> = {
  'not-found': 'not found on the cluster',
  cycle: 'applies an object above it: not expanded',
  depth: 'too deep: not expanded',
};

// What Backstage's Kubernetes tab shows of an entity: its workloads, by
// kind and API group (a custom resource may be called Job too).
const WORKLOAD_GROUPS: Record<string, string> = {
  Deployment: 'apps',
  StatefulSet: 'apps',
  DaemonSet: 'apps',
  ReplicaSet: 'apps',
  Pod: '',
  Job: 'batch',
  CronJob: 'batch',
};

function isWorkload(node: InventoryTreeNode): boolean {
  const group = node.apiVersion.includes('/')
    ? node.apiVersion.split('/')[0]
    : '';
  return WORKLOAD_GROUPS[node.kind] === group;
}

// Groups this long start folded: an inventory may hold thousands of objects.
const FOLDED_FROM = 50;

/** Whether a node, or anything under it, passes the filters. */
function matches(
  node: InventoryTreeNode,
  kind: string,
  query: string,
): boolean {
  const own =
    (!kind || node.kind === kind) &&
    (!query || node.name.toLowerCase().includes(query));
  return (
    own ||
    (node.children ?? []).some(g => g.items.some(i => matches(i, kind, query)))
  );
}

function kindsIn(groups: InventoryTreeGroup[], into = new Set<string>()) {
  for (const group of groups) {
    into.add(group.kind);
    for (const item of group.items) {
      kindsIn(item.children ?? [], into);
    }
  }
  return into;
}

function Health(props: { node: InventoryTreeNode }) {
  const { node } = props;
  if (node.state) {
    return <SyncStateLabel state={node.state as SyncState} />;
  }
  if (node.health) {
    return (
      <Typography variant="body2" component="span">
        {node.health} {node.ready}
      </Typography>
    );
  }
  return null;
}

function Groups(props: {
  groups: InventoryTreeGroup[];
  kind: string;
  query: string;
  path: string;
  /** The entity's Kubernetes tab, where the app has one. */
  kubernetesTab?: string;
}) {
  const { groups, kind, query, path, kubernetesTab } = props;
  const classes = useStyles();
  const [unfolded, setUnfolded] = useState<Set<string>>(new Set());
  const filtering = Boolean(kind || query);
  return (
    <ul className={classes.groups}>
      {groups.map(group => {
        const key = `${path}/${group.kind}/${group.namespace}`;
        const items = group.items.filter(i => matches(i, kind, query));
        if (items.length === 0) {
          return null;
        }
        const folded =
          !filtering && items.length >= FOLDED_FROM && !unfolded.has(key);
        return (
          <li key={key} className={classes.group} data-testid="inventory-group">
            <Typography variant="subtitle2" component="span">
              {group.kind}
              {group.namespace ? ` in ${group.namespace}` : ' (cluster-wide)'} (
              {items.length})
            </Typography>
            {folded ? (
              <Button
                size="small"
                onClick={() => setUnfolded(new Set([...unfolded, key]))}
              >
                Show {items.length}
              </Button>
            ) : (
              <ul className={classes.items}>
                {items.map(item => (
                  <li
                    key={`${item.kind}/${item.namespace}/${item.name}`}
                    data-testid={`inventory-item-${item.kind}-${item.name}`}
                  >
                    <div className={classes.item}>
                      <span className={classes.name}>{item.name}</span>
                      <Health node={item} />
                      {kubernetesTab && isWorkload(item) && (
                        <Link
                          to={kubernetesTab}
                          aria-label={`${item.kind} ${item.name} in the Kubernetes tab`}
                        >
                          Kubernetes tab
                        </Link>
                      )}
                      {item.reason && (
                        <Typography
                          variant="body2"
                          component="span"
                          color="textSecondary"
                        >
                          {item.reason}
                        </Typography>
                      )}
                      {item.unexpanded && (
                        <Typography
                          variant="caption"
                          component="span"
                          color="textSecondary"
                        >
                          {UNEXPANDED[item.unexpanded]}
                        </Typography>
                      )}
                    </div>
                    {item.children && item.children.length > 0 && (
                      <Groups
                        groups={item.children}
                        kind={kind}
                        query={query}
                        path={`${key}/${item.name}`}
                        kubernetesTab={kubernetesTab}
                      />
                    )}
                  </li>
                ))}
              </ul>
            )}
          </li>
        );
      })}
    </ul>
  );
}

function InventoryView(props: {
  object: FluxObjectStatus;
  liveIds?: string[];
}) {
  const { entity } = useEntity();
  const classes = useStyles();
  const { value, loading, error } = useInventoryTree(
    getCompoundEntityRef(entity),
    props.object,
    props.liveIds,
  );
  const kubernetesTab = useKubernetesTabLink(entity);
  const [kind, setKind] = useState('');
  const [query, setQuery] = useState('');
  const kinds = useMemo(
    () => [...kindsIn(value?.root.children ?? [])].sort(),
    [value],
  );
  if (!value && loading) {
    return <Progress />;
  }
  if (!value && error) {
    return <ResponseErrorPanel error={error} />;
  }
  if (!value || value.total === 0) {
    return (
      <Typography variant="body2" data-testid="inventory-empty">
        Flux has applied nothing of it yet: its status has no inventory.
      </Typography>
    );
  }
  return (
    <>
      <Box className={classes.filters}>
        <TextField
          id="gitops-inventory-search"
          label="Search by name"
          value={query}
          onChange={e => setQuery(e.target.value)}
        />
        <TextField
          id="gitops-inventory-kind"
          select
          label="Kind"
          className={classes.select}
          value={kind}
          onChange={e => setKind(e.target.value)}
        >
          <MenuItem value="">All kinds</MenuItem>
          {kinds.map(k => (
            <MenuItem key={k} value={k}>
              {k}
            </MenuItem>
          ))}
        </TextField>
        <Typography variant="body2" color="textSecondary">
          {value.total} object{value.total === 1 ? '' : 's'}
        </Typography>
      </Box>
      <div data-testid="inventory-tree">
        <Groups
          groups={value.root.children ?? []}
          kind={kind}
          query={query.trim().toLowerCase()}
          path=""
          kubernetesTab={kubernetesTab}
        />
      </div>
    </>
  );
}

/**
 * What a Kustomization or HelmRelease applied, as `flux tree` shows it:
 * grouped by kind and namespace, nested Kustomizations and HelmReleases
 * expanded, each object with its health.
 */
export function InventoryDialog(props: {
  object?: FluxObjectStatus;
  liveIds?: string[];
  onClose: () => void;
}) {
  const { object, liveIds, onClose } = props;
  if (!object) {
    return null;
  }
  return (
    <ObjectDialog what="Inventory" object={object} onClose={onClose}>
      <InventoryView object={object} liveIds={liveIds} />
    </ObjectDialog>
  );
}
