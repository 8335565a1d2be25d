/**
 * Scaffolder actions that initialize a project for GitOps with Flux.
 *
 * @packageDocumentation
 */

export { gitopsScaffolderModule as default } from './module';
export { createCheckProjectAction } from './actions/checkProject';
export { createManifestsAction } from './actions/createManifests';
export { createFluxResourcesAction } from './actions/createFluxResources';
export { createWaitForFluxAction } from './actions/waitForFlux';
export type { GitOpsClusterClientFactory } from './flux/clusterClient';
