import {
  Content,
  Header,
  Page,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { ClusterSummary } from '@gitops-backstage/plugin-gitops-common';
import useAsync from 'react-use/esm/useAsync';
import { gitopsApiRef } from '../../api';

const columns: TableColumn<ClusterSummary>[] = [
  { title: 'Cluster', render: c => c.title ?? c.name },
  { title: 'API server', field: 'url' },
];

/**
 * The portal's GitOps page.
 *
 * @public
 */
export function GitOpsPage() {
  const api = useApi(gitopsApiRef);
  const { value, loading, error } = useAsync(() => api.listClusters(), [api]);
  return (
    <Page themeId="tool">
      <Header title="GitOps" subtitle="Flux across your clusters" />
      <Content>
        {loading && <Progress />}
        {error && <ResponseErrorPanel error={error} />}
        {value && (
          <Table
            title="Clusters"
            options={{ paging: false, search: false }}
            columns={columns}
            data={value}
          />
        )}
      </Content>
    </Page>
  );
}
