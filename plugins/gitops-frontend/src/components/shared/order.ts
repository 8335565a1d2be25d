import {
  FluxObjectStatus,
  GITOPS_ENVIRONMENTS,
  SyncState,
} from '@gitops-backstage/plugin-gitops-common';

/** Most urgent first: what needs a person comes before what is fine. */
export const STATE_ORDER: SyncState[] = [
  'Failed',
  'Stale',
  'Reconciling',
  'Unknown',
  'Suspended',
  'Ready',
];

const rank = (state: SyncState) => {
  const index = STATE_ORDER.indexOf(state);
  return index === -1 ? STATE_ORDER.length : index;
};

/** Environments in promotion order; names the order does not know go last. */
export function byPromotionOrder(a: string, b: string): number {
  const order = GITOPS_ENVIRONMENTS as readonly string[];
  const ia = order.includes(a) ? order.indexOf(a) : order.length;
  const ib = order.includes(b) ? order.indexOf(b) : order.length;
  return ia - ib || a.localeCompare(b);
}

/** Failing objects first, then by environment, kind and name. */
export function byUrgency(a: FluxObjectStatus, b: FluxObjectStatus): number {
  return (
    rank(a.state) - rank(b.state) ||
    byPromotionOrder(a.environment ?? '', b.environment ?? '') ||
    a.kind.localeCompare(b.kind) ||
    a.name.localeCompare(b.name)
  );
}
