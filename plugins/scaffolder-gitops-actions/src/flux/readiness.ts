import {
  classifyFluxFailure,
  fluxProgress,
  FluxResource,
  GitOpsErrorCode,
} from '@gitops-backstage/plugin-gitops-common';

export type Readiness =
  | { state: 'ready'; revision?: string; message?: string }
  | { state: 'waiting'; reason: string; message: string }
  | {
      state: 'failed';
      kind: string;
      name: string;
      reason: string;
      message: string;
      code: GitOpsErrorCode;
      cause: string;
      fix: string;
    };

/**
 * Where a Kustomization or HelmRelease stands with respect to `revision`
 * (a commit sha): Ready at it, still on its way (waiting for a dependency
 * included), or failed in a way Flux will only retry, with the portal's
 * diagnosis. Its source is consulted when it waits for an artifact.
 */
export function assessReadiness(
  workload: FluxResource,
  source: FluxResource | undefined,
  revision?: string,
): Readiness {
  const progress = fluxProgress(workload, { revision, source });
  switch (progress.state) {
    case 'applied':
      return {
        state: 'ready',
        revision: progress.revision,
        message: progress.message,
      };
    case 'failed': {
      const { object, reason, message } = progress;
      return {
        state: 'failed',
        kind: object.kind,
        name: `${object.metadata.namespace}/${object.metadata.name}`,
        reason,
        message,
        ...classifyFluxFailure({ kind: object.kind, reason, message }),
      };
    }
    default:
      return {
        state: 'waiting',
        reason: progress.reason ?? 'NotReconciled',
        message: progress.message,
      };
  }
}
