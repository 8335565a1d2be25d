export { DeployHistoryCard } from './DeployHistoryCard';
export { DeployDialog } from './DeployDialog';
