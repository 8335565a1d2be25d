import { useCallback } from 'react';
import {
  Content,
  Header,
  Page,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
  TableFilter,
  TabbedLayout,
  WarningPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { FluxObjectStatus } from '@gitops-backstage/plugin-gitops-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { gitopsApiRef } from '../../api';
import { HealthPage } from '../HealthPage';
import { relativeTime, SyncStateLabel, useLiveStatus } from '../shared';

const columns: TableColumn<FluxObjectStatus>[] = [
  { title: 'Kind', field: 'kind' },
  { title: 'Name', field: 'name', highlight: true },
  { title: 'Cluster', field: 'cluster' },
  { title: 'Namespace', field: 'namespace' },
  {
    title: 'State',
    field: 'state',
    render: o => <SyncStateLabel state={o.state} />,
  },
  { title: 'Revision', field: 'shortRevision' },
  { title: 'Updated', render: o => relativeTime(o.lastTransitionTime) },
  { title: 'Message', field: 'message', width: '35%' },
];

const filters: TableFilter[] = [
  { column: 'State', type: 'multiple-select' },
  { column: 'Cluster', type: 'select' },
  { column: 'Kind', type: 'multiple-select' },
  { column: 'Namespace', type: 'select' },
];

/** Every Flux object across the configured clusters, with filters and search. */
function FluxObjects() {
  const api = useApi(gitopsApiRef);
  const { value, loading, error, retry } = useAsyncRetry(
    () => api.listObjects(),
    [api],
  );
  useLiveStatus(
    useCallback(() => retry(), [retry]),
    undefined,
    loading,
  );

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
      {value && (
        <Table
          options={{
            paging: true,
            pageSize: 50,
            padding: 'dense',
            search: true,
          }}
          data={value.items}
          columns={columns}
          filters={filters}
        />
      )}
    </>
  );
}

/**
 * The portal's GitOps page: Flux objects across clusters, and cluster
 * health checks with findings and repairs (`/health`).
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
        <TabbedLayout.Route path="/health" title="Health">
          <Content>
            <HealthPage />
          </Content>
        </TabbedLayout.Route>
      </TabbedLayout>
    </Page>
  );
}
