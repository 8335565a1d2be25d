import { useCallback } from 'react';
import {
  Content,
  ContentHeader,
  Header,
  Page,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
  TableFilter,
  WarningPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { FluxObjectStatus } from '@gitops-backstage/plugin-gitops-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { gitopsApiRef } from '../../api';
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

/**
 * Every Flux object across the configured clusters, with filters and search.
 *
 * @public
 */
export function GitOpsPage() {
  const api = useApi(gitopsApiRef);
  const { value, loading, error, retry } = useAsyncRetry(
    () => api.listObjects(),
    [api],
  );
  useLiveStatus(useCallback(() => retry(), [retry]));

  return (
    <Page themeId="tool">
      <Header title="GitOps" subtitle="Flux objects across your clusters" />
      <Content>
        <ContentHeader title="Flux objects" />
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
      </Content>
    </Page>
  );
}
