export { DeployHistoryCard } from './DeployHistoryCard';
