export { SyncStateLabel } from './SyncStateLabel';
export { commitUrl, relativeTime } from './format';
export { useLiveStatus } from './useLiveStatus';
