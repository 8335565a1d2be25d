export { useDeployHistory } from './useDeployHistory';
export { useEntityGitOpsStatus } from './useEntityGitOpsStatus';
export { useFluxActions } from './useFluxActions';
export type { PendingAction } from './useFluxActions';
export { useFluxObjects } from './useFluxObjects';
export { useHealthReports } from './useHealthReports';
export { useLiveStatus } from './useLiveStatus';
export { useHealthPageLink } from './useHealthPageLink';
