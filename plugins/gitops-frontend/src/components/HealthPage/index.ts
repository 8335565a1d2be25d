export { HealthPage } from './HealthPage';
export { FindingList } from './FindingList';
