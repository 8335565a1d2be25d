import {
  Content,
  Header,
  Page,
  Progress,
  ResponseErrorPanel,
  TabbedLayout,
} from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import { FluxObjectStatus } from '@gitops-backstage/plugin-gitops-common';
import Grid from '@material-ui/core/Grid';
import { useNavigate } from 'react-router-dom';
import {
  dependenciesRouteRef,
  healthRouteRef,
  rootRouteRef,
} from '../../routes';
import { useFluxObjects } from '../../hooks';
import { FluxDependencyGraph } from '../DependencyGraph';
import { HealthPage } from '../HealthPage';
import { UnreachableClusterWarning } from '../shared';
import { FluxObjectsOverview } from './FluxObjectsOverview';
import {
  matchesFilter,
  ObjectFilterBar,
  useObjectFilter,
} from './objectFilters';

/** Every Flux object across the configured clusters, with counts and filters. */
function FluxObjects() {
  const { value, loading, error } = useFluxObjects();
  return (
    <>
      {!value && loading && <Progress />}
      {!value && error && <ResponseErrorPanel error={error} />}
      {value?.clusters
        .filter(c => c.state === 'unreachable')
        .map(c => (
          <UnreachableClusterWarning key={c.name} cluster={c} />
        ))}
      {value && <FluxObjectsOverview objects={value.items} />}
    </>
  );
}

/**
 * The dependsOn graph of each cluster (Flux resolves dependsOn within one),
 * narrowed by the page's filters to the chains of the objects they pick;
 * a node clicked opens its object in the filtered list.
 */
function Dependencies() {
  const { value, loading, error } = useFluxObjects();
  const filters = useObjectFilter();
  const objectsPath = useRouteRef(rootRouteRef)();
  const navigate = useNavigate();
  const open = (o: FluxObjectStatus) =>
    navigate(
      `${objectsPath}?${new URLSearchParams({
        cluster: o.cluster,
        kind: o.kind,
        namespace: o.namespace,
        q: o.name,
      })}`,
    );
  if (!value && loading) {
    return <Progress />;
  }
  if (!value && error) {
    return <ResponseErrorPanel error={error} />;
  }
  const { filter, active } = filters;
  const clusters = (value?.clusters ?? []).filter(
    c => !filter.cluster || c.name === filter.cluster,
  );
  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <ObjectFilterBar objects={value?.items ?? []} filters={filters} />
      </Grid>
      {clusters.map(cluster => (
        <Grid item xs={12} key={cluster.name}>
          {cluster.state === 'unreachable' && (
            <UnreachableClusterWarning cluster={cluster} />
          )}
          <FluxDependencyGraph
            title={`Dependencies on ${cluster.title ?? cluster.name}`}
            subheader="What waits for what (dependsOn); click an object to open it"
            objects={value!.items.filter(o => o.cluster === cluster.name)}
            onOpen={open}
            matches={active ? o => matchesFilter(o, filter) : undefined}
          />
        </Grid>
      ))}
    </Grid>
  );
}

/**
 * The portal's GitOps page: Flux objects across clusters, and cluster
 * health checks with findings and repairs (its health sub-route).
 *
 * @public
 */
export function GitOpsPage() {
  return (
    <Page themeId="tool">
      <Header title="GitOps" subtitle="Flux across your clusters" />
      <TabbedLayout>
        <TabbedLayout.Route path="/" title="Flux objects">
          <Content>
            <FluxObjects />
          </Content>
        </TabbedLayout.Route>
        <TabbedLayout.Route
          path={dependenciesRouteRef.path}
          title="Dependencies"
        >
          <Content>
            <Dependencies />
          </Content>
        </TabbedLayout.Route>
        <TabbedLayout.Route path={healthRouteRef.path} title="Health">
          <Content>
            <HealthPage />
          </Content>
        </TabbedLayout.Route>
      </TabbedLayout>
    </Page>
  );
}
