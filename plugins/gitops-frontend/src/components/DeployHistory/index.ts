export { DeployHistoryCard } from './DeployHistoryCard';
export { DeployDialog } from './DeployDialog';
export { isDeployable } from './deployable';
export { DiffView } from './DiffView';
export { CommitRangeView, shortSha } from './CommitRangeView';
export { DeployChangeDialog } from './DeployChangeDialog';
