import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  StatusWarning,
} from '@backstage/core-components';
import { SyncState } from '@gitops-backstage/plugin-gitops-common';

const icons: Record<SyncState, typeof StatusOK> = {
  Ready: StatusOK,
  Failed: StatusError,
  Reconciling: StatusRunning,
  Suspended: StatusAborted,
  Stale: StatusWarning,
  Unknown: StatusPending,
};

/**
 * A sync state with Backstage's status icon. The word is always there: the
 * colour is never the only signal.
 */
export function SyncStateLabel(props: { state: SyncState }) {
  const Icon = icons[props.state] ?? StatusPending;
  return (
    <span style={{ whiteSpace: 'nowrap' }}>
      <Icon>{props.state}</Icon>
    </span>
  );
}
