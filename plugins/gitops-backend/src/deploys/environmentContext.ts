import { InputError } from '@backstage/errors';
import { FluxResource } from '@gitops-backstage/plugin-gitops-common';
import { ClusterWatcher } from '../cluster/ClusterWatcher';
import { FluxStatusService } from '../status/FluxStatusService';
import { DeployTarget } from './DeployStore';

/** Where an environment of an entity is deployed from, and to. */
export interface EnvironmentContext {
  environment: string;
  watcher: ClusterWatcher;
  kustomization: FluxResource;
  source?: FluxResource;
  target: DeployTarget;
  /** Deployments the Kustomization applied. */
  deployments: Array<{ namespace: string; name: string }>;
}

/** The Git side of an environment: only Kustomizations from a branch. */
export interface GitContext {
  repoUrl: string;
  branch: string;
  /** The overlay directory, relative to the repository root. */
  overlayPath: string;
}

/**
 * Finds the Kustomization that deploys an entity's environment. An
 * environment with several Kustomizations (or only a HelmRelease) is refused
 * with a message that says why.
 */
export function environmentContext(
  status: FluxStatusService,
  entityRef: string,
  selector: string,
  environment: string,
): EnvironmentContext {
  const entityStatus = status.entityStatus(entityRef, selector);
  const found = entityStatus.environments.find(e => e.name === environment);
  if (!found) {
    const names = entityStatus.environments.map(e => e.name).join(', ');
    throw new InputError(
      `environment: ${entityRef} has no environment '${environment}'${
        names ? ` (it has ${names})` : ''
      }`,
    );
  }
  const kustomizations = found.objects.filter(o => o.kind === 'Kustomization');
  if (kustomizations.length !== 1) {
    throw new InputError(
      kustomizations.length === 0
        ? `environment: '${environment}' of ${entityRef} is not deployed by a Flux Kustomization; portal deploys change Kustomize overlays`
        : `environment: '${environment}' of ${entityRef} has ${kustomizations.length} Kustomizations; portal deploys need exactly one`,
    );
  }
  const object = kustomizations[0];
  const { watcher, resource } = status.findObject(
    object.cluster,
    object.kind,
    object.namespace,
    object.name,
  );
  const ref = resource.spec?.sourceRef;
  const source = ref
    ? watcher.get(ref.kind, ref.namespace ?? object.namespace, ref.name)
    : undefined;
  return {
    environment,
    watcher,
    kustomization: resource,
    source,
    target: {
      cluster: object.cluster,
      namespace: object.namespace,
      kustomization: object.name,
    },
    deployments: object.workloads
      .filter(w => w.kind === 'Deployment')
      .map(w => ({ namespace: w.namespace, name: w.name })),
  };
}

export function gitContext(context: EnvironmentContext): GitContext {
  const { source, kustomization, environment } = context;
  if (!source || source.kind !== 'GitRepository') {
    throw new InputError(
      `environment: '${environment}' is not deployed from a GitRepository; portal deploys commit to Git`,
    );
  }
  const branch =
    source.spec?.ref?.branch ?? (source.spec?.ref ? undefined : 'master');
  if (
    !branch ||
    source.spec?.ref?.commit ||
    source.spec?.ref?.tag ||
    source.spec?.ref?.semver ||
    source.spec?.ref?.name
  ) {
    throw new InputError(
      `environment: '${environment}' follows a tag or a fixed commit of ${source.spec?.url}; portal deploys need it to follow a branch`,
    );
  }
  const overlayPath = String(kustomization.spec?.path ?? '')
    .replace(/^\.?\/+/, '')
    .replace(/\/+$/, '');
  return { repoUrl: String(source.spec?.url), branch, overlayPath };
}

/** `<branch>@sha1:<sha>`, as Flux writes revisions. */
export function fluxRevision(branch: string, sha: string): string {
  return `${branch}@sha1:${sha}`;
}

/** The sha of a Flux revision (`main@sha1:abc…`, or a bare sha). */
export function revisionSha(revision?: string): string | undefined {
  return /(?:sha1:)?([0-9a-f]{40})$/.exec(revision ?? '')?.[1];
}

/** A link to the commit on the Git host's web UI, when it has a known one. */
export function commitLink(repoUrl: string, sha: string): string | undefined {
  if (!/^https?:\/\//.test(repoUrl)) {
    return undefined;
  }
  const base = repoUrl.replace(/\.git$/, '').replace(/\/$/, '');
  return base.includes('gitlab')
    ? `${base}/-/commit/${sha}`
    : `${base}/commit/${sha}`;
}
