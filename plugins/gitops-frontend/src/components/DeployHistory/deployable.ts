import { EnvironmentStatus } from '@gitops-backstage/plugin-gitops-common';

/**
 * Whether a portal deploy can change this environment: it changes the
 * Kustomize overlay of the one Flux Kustomization that deploys it, as the
 * backend does (it refuses the others, HelmReleases among them).
 */
export function isDeployable(environment: EnvironmentStatus): boolean {
  return (
    environment.objects.filter(o => o.kind === 'Kustomization').length === 1
  );
}
