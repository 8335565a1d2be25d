import { InputError } from '@backstage/errors';
import { createTwoFilesPatch } from 'diff';
import {
  DeployChanges,
  DeployFileChange,
  DeployPreview,
} from '@gitops-backstage/plugin-gitops-common';
import { ClusterClients } from '../cluster/ClusterClients';
import { EntityScope } from '../entities/EntityScope';
import {
  EnvironmentContext,
  environmentContext,
  gitContext,
  GitContext,
} from './environmentContext';
import {
  DeploymentRef,
  nameInOverlay,
  pickDeployment,
  readContainers,
} from './deployments';
import { LocalRepo } from './GitWorkspace';
import { applyDeployChanges, DEPLOY_PATCH_FILE } from './overlayPatch';
import {
  digestOf,
  joinPath,
  KUSTOMIZATION_FILES,
  OverlayRepos,
  readDir,
} from './overlayRepo';

/** An overlay change worked out on the branch head, not yet committed. */
export interface PreparedChange {
  git: GitContext;
  head: string;
  digest: string;
  files: DeployFileChange[];
  target: { deployment: string; container: string };
}

/** What a deploy of `changes` would commit to an environment's overlay. */
export class PreviewService {
  constructor(
    private readonly options: { clients: ClusterClients; repos: OverlayRepos },
  ) {}

  async preview(
    scope: EntityScope,
    request: {
      environment: string;
      changes: DeployChanges;
      deployment?: string;
    },
  ): Promise<DeployPreview> {
    const context = environmentContext(scope, request.environment);
    const git = gitContext(context);
    return this.options.repos.withRepo(git, async repo =>
      toPreview(
        context,
        await this.prepare(
          repo,
          context,
          git,
          request.changes,
          request.deployment,
        ),
      ),
    );
  }

  /** Reads the overlay at the branch head and applies the changes to it. */
  async prepare(
    repo: LocalRepo,
    context: EnvironmentContext,
    git: GitContext,
    changes: DeployChanges,
    deploymentName?: string,
  ): Promise<PreparedChange> {
    const deployment = pickDeployment(context, deploymentName);
    const head = await repo.fetch(git.branch);
    const overlay = await readDir(repo, head, git.overlayPath);
    const kustomizationPath = KUSTOMIZATION_FILES.map(f =>
      joinPath(git.overlayPath, f),
    ).find(f => overlay.has(f));
    if (!kustomizationPath) {
      throw new InputError(
        `environment: ${git.overlayPath || 'the repository root'} on ${
          git.branch
        } has no kustomization.yaml`,
      );
    }
    const patchPath = joinPath(git.overlayPath, DEPLOY_PATCH_FILE);
    const container = await this.containerName(
      context,
      deployment,
      overlay.get(patchPath),
    );
    const next = applyDeployChanges({
      files: {
        kustomization: overlay.get(kustomizationPath)!,
        patch: overlay.get(patchPath),
      },
      deployment: nameInOverlay(context, deployment.name),
      container,
      changes,
    });
    const files: DeployFileChange[] = [];
    for (const [path, after] of [
      [kustomizationPath, next.kustomization],
      [patchPath, next.patch!],
    ] as const) {
      if (overlay.get(path) !== after) {
        files.push({ path, before: overlay.get(path), after });
      }
    }
    return {
      git,
      head,
      digest: digestOf(overlay),
      files,
      target: { deployment: deployment.name, container },
    };
  }

  /** The container the overlay's patch names, else the cluster's `app` or first one. */
  private async containerName(
    context: EnvironmentContext,
    deployment: DeploymentRef,
    patch?: string,
  ): Promise<string> {
    const named = /containers:\s*\n\s*-\s*name:\s*(\S+)/.exec(patch ?? '')?.[1];
    if (named) {
      return named;
    }
    const containers = await readContainers(
      this.options.clients,
      context,
      deployment,
    );
    return (containers.find(c => c.name === 'app') ?? containers[0]).name;
  }
}

/** The preview answer: the files, a unified diff, and what it targets. */
export function toPreview(
  context: EnvironmentContext,
  prepared: PreparedChange,
): DeployPreview {
  const diff = prepared.files
    .map(f =>
      createTwoFilesPatch(
        f.before === undefined ? '/dev/null' : `a/${f.path}`,
        `b/${f.path}`,
        f.before ?? '',
        f.after,
        undefined,
        undefined,
        { context: 3 },
      ),
    )
    .join('');
  return {
    environment: context.environment,
    repoUrl: prepared.git.repoUrl,
    branch: prepared.git.branch,
    baseCommit: prepared.head,
    overlayPath: prepared.git.overlayPath,
    overlayDigest: prepared.digest,
    files: prepared.files,
    diff,
    target: prepared.target,
    empty: prepared.files.length === 0,
  };
}
