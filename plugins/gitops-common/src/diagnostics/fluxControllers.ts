import { FluxResource } from '../status';
import { FailureFacts } from './references';
import { verdict } from './verdict';

/** The kinds source-controller reconciles and serves artifacts for. */
export const SOURCE_KINDS = new Set([
  'GitRepository',
  'OCIRepository',
  'HelmRepository',
  'HelmChart',
  'Bucket',
  'ExternalArtifact',
]);

const CONTROLLER_OF: Record<string, string> = {
  Kustomization: 'kustomize-controller',
  HelmRelease: 'helm-controller',
  Alert: 'notification-controller',
  Provider: 'notification-controller',
  Receiver: 'notification-controller',
};

export function controllerOf(kind: string): string | undefined {
  return SOURCE_KINDS.has(kind) ? 'source-controller' : CONTROLLER_OF[kind];
}

/** A controller that is down outweighs whatever the object's conditions say. */
export function byControllers(
  object: FluxResource,
  facts: FailureFacts,
  reason: string,
) {
  const down = new Set(
    (facts.controllers ?? []).filter(c => !c.available).map(c => c.name),
  );
  const own = controllerOf(object.kind);
  const artifactServer =
    !SOURCE_KINDS.has(object.kind) && reason === 'ArtifactFailed'
      ? 'source-controller'
      : undefined;
  const blamed = [own, artifactServer].find(c => c && down.has(c));
  if (!blamed) {
    return undefined;
  }
  return verdict(
    'structure',
    'CONTROLLER_UNHEALTHY',
    blamed === own
      ? `${blamed} is not Available, so nothing reconciles this ${object.kind}.`
      : `${blamed} is not Available, so the artifact of the source cannot be downloaded.`,
    `Bring the controller back: kubectl -n flux-system get deploy ${blamed}; kubectl -n flux-system logs deploy/${blamed} --tail=100; kubectl -n flux-system rollout restart deploy/${blamed}.`,
    { kind: 'Deployment', name: blamed, field: 'controller' },
  );
}
