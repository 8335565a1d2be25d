import { WarningPanel } from '@backstage/core-components';
import { ClusterState } from '@gitops-backstage/plugin-gitops-common';

/** A cluster the backend cannot read, with its error. */
export function UnreachableClusterWarning(props: { cluster: ClusterState }) {
  const { cluster } = props;
  return (
    <WarningPanel
      severity="error"
      title={`Cluster ${
        cluster.title ?? cluster.name
      } cannot be read; its objects show their last known state`}
      message={cluster.error}
    />
  );
}
