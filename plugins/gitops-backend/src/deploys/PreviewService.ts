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
import {
  applyDeployChanges,
  containerNamedInPatch,
  DEPLOY_PATCH_FILE,
} from './overlayPatch';
import {
  digestOf,
  joinPath,
  KUSTOMIZATION_FILES,
  OVERLAY_LIMITS,
  OverlayRepos,
  readDir,
  requireParsable,
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

  /**
   * Reads the overlay at `at` (default: the branch head, fetched) and
   * applies the changes to it.
   */
  async prepare(
    repo: LocalRepo,
    context: EnvironmentContext,
    git: GitContext,
    changes: DeployChanges,
    deploymentName?: string,
    at?: string,
  ): Promise<PreparedChange> {
    const deployment = pickDeployment(context, deploymentName);
    const head = at ?? (await repo.fetch(git.branch));
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
    requireParsable(kustomizationPath, overlay.get(kustomizationPath));
    requireParsable(patchPath, overlay.get(patchPath));
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
    // What the portal writes it must be able to read back.
    const patchBytes = Buffer.byteLength(next.patch!);
    if (patchBytes > OVERLAY_LIMITS.parsedFileBytes) {
      throw new InputError(
        `changes: ${patchPath} would be ${patchBytes} bytes; the portal writes overlay files of at most ${OVERLAY_LIMITS.parsedFileBytes} bytes (keep large values in a ConfigMap)`,
      );
    }
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
    const named = containerNamedInPatch(patch);
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

function lineCount(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
    count++;
  }
  return count;
}

/**
 * The unified diff of the changed files. A line diff runs on the event
 * loop at a cost the files' author chooses, so it is bounded (see
 * OVERLAY_LIMITS): a file too large or changed too much is named with its
 * sizes instead.
 */
export function unifiedDiff(files: DeployFileChange[]): string {
  let budget = OVERLAY_LIMITS.diffTotalBytes;
  return files
    .map(f => {
      const before = f.before ?? '';
      const from = f.before === undefined ? '/dev/null' : `a/${f.path}`;
      const beforeBytes = Buffer.byteLength(before);
      const afterBytes = Buffer.byteLength(f.after);
      const bytes = beforeBytes + afterBytes;
      let shown: string | undefined;
      // Lines added or removed are at least the difference of the line
      // counts: past the bound, the diff would only be worked out to be
      // thrown away (16 KiB of blank lines cost the event loop ~60 ms).
      const fewestEdits = Math.abs(lineCount(before) - lineCount(f.after));
      if (
        bytes <= OVERLAY_LIMITS.diffFileBytes &&
        bytes <= budget &&
        fewestEdits <= OVERLAY_LIMITS.diffEditLines
      ) {
        budget -= bytes;
        shown = createTwoFilesPatch(
          from,
          `b/${f.path}`,
          before,
          f.after,
          undefined,
          undefined,
          { context: 3, maxEditLength: OVERLAY_LIMITS.diffEditLines },
        );
      }
      return (
        shown ??
        `--- ${from}\n+++ b/${f.path}\n# not shown: ${beforeBytes} -> ${afterBytes} bytes, too large or too changed for the portal to diff\n`
      );
    })
    .join('');
}

/** The preview answer: the files, a unified diff, and what it targets. */
export function toPreview(
  context: EnvironmentContext,
  prepared: PreparedChange,
): DeployPreview {
  const diff = unifiedDiff(prepared.files);
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
