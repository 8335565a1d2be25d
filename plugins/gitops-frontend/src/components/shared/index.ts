export { SyncStateLabel } from './SyncStateLabel';
export { apiErrorMessage, commitUrl, relativeTime } from './format';
export { byPromotionOrder, byUrgency, STATE_ORDER } from './order';
export { NO_WRAP, SHRINKING, WRAP_AT_WORDS } from './tableCells';
export { TruncatedText } from './TruncatedText';
export { fluxObjectColumns } from './fluxObjectColumns';
export { UnreachableClusterWarning } from './UnreachableClusterWarning';
export { WideDialog } from './WideDialog';
