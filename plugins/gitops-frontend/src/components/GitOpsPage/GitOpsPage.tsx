import {
  Content,
  Header,
  Page,
  Progress,
  ResponseErrorPanel,
  TabbedLayout,
  WarningPanel,
} from '@backstage/core-components';
import { healthRouteRef } from '../../routes';
import { useFluxObjects } from '../../hooks';
import { HealthPage } from '../HealthPage';
import { FluxObjectsOverview } from './FluxObjectsOverview';

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
          <WarningPanel
            key={c.name}
            severity="error"
            title={`Cluster ${c.title ?? c.name} cannot be read`}
            message={c.error}
          />
        ))}
      {value && <FluxObjectsOverview objects={value.items} />}
    </>
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
        <TabbedLayout.Route path={healthRouteRef.path} title="Health">
          <Content>
            <HealthPage />
          </Content>
        </TabbedLayout.Route>
      </TabbedLayout>
    </Page>
  );
}
