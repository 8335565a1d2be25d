export { gitopsApiRef } from './GitOpsApi';
export type { GitOpsApi } from './GitOpsApi';
export { GitOpsClient } from './GitOpsClient';
