import { clusterWideScenarios } from './clusterWideScenarios';
import { gitRepositoryScenarios } from './gitRepositoryScenarios';
import { helmReleaseScenarios } from './helmReleaseScenarios';
import { kustomizationScenarios } from './kustomizationScenarios';
import { ociHelmBucketScenarios } from './ociHelmBucketScenarios';
import { Scenario } from './scenario';

export { artifactAfterRecovery } from './clusterWideScenarios';
export { apiVersionOf, HELM_API } from './scenario';
export type { CorpusContext, Scenario } from './scenario';

/** Every scenario of the corpus; the cluster-wide ones last. */
export const scenarios: Scenario[] = [
  ...kustomizationScenarios,
  ...gitRepositoryScenarios,
  ...ociHelmBucketScenarios,
  ...helmReleaseScenarios,
  ...clusterWideScenarios,
];
