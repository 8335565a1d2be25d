/**
 * GitOps for Backstage: Flux state, deploys and diagnostics on entity pages.
 *
 * Legacy frontend system exports; the new frontend system plugin is the
 * default export of `/alpha`.
 *
 * @packageDocumentation
 */

export { gitopsPlugin, EntityGitOpsContent, GitOpsPage } from './plugin';
export { gitopsApiRef, GitOpsClient } from './api';
export type { GitOpsApi, FluxObjectRef } from './api';
export { isGitOpsAvailable } from '@gitops-backstage/plugin-gitops-common';
