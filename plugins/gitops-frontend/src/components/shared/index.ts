export { SyncStateLabel } from './SyncStateLabel';
export { apiErrorMessage, commitUrl, relativeTime } from './format';
export { useLiveStatus } from './useLiveStatus';
