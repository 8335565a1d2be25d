export { gitopsApiRef } from './GitOpsApi';
export type { GitOpsApi, FluxObjectRef } from './GitOpsApi';
export { GitOpsClient } from './GitOpsClient';
