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

/** A sync state with Backstage's status icon. */
export function SyncStateLabel(props: { state: SyncState }) {
  const Icon = icons[props.state] ?? StatusPending;
  return <Icon>{props.state}</Icon>;
}
