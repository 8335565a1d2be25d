import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { InputError } from '@backstage/errors';
import { ScmIntegrationRegistry } from '@backstage/integration';
import { commitWebUrl } from '@gitops-backstage/plugin-gitops-common';
import {
  RepositoryOfUrl,
  repositoryOfCloneUrl,
  resolveGitCredentials,
} from '@gitops-backstage/plugin-gitops-node';
import { requireRegisteredRepository } from '../entities/registeredRepository';
import { GitContext } from './environmentContext';
import { GitWorkspace, LocalRepo } from './GitWorkspace';
import { DEPLOY_PATCH_FILE } from './overlayPatch';

/** Names Kustomize reads an overlay's kustomization from. */
export const KUSTOMIZATION_FILES = [
  'kustomization.yaml',
  'kustomization.yml',
  'Kustomization',
];

/** The files of an overlay the portal reads as YAML and may rewrite. */
const OVERLAY_FILES_EDITED = [...KUSTOMIZATION_FILES, DEPLOY_PATCH_FILE];

/** Git's mode of a symbolic link in a tree. */
const GIT_SYMLINK_MODE = '120000';

/** Work on the clone of a repository, with the integration's credentials. */
export class OverlayRepos {
  constructor(
    private readonly workspace: GitWorkspace,
    private readonly integrations: ScmIntegrationRegistry,
  ) {}

  /**
   * Async, so a host without an integration is a rejection, not a throw.
   * For an entity's deploys (`registeredRepository` given), only the
   * repository the entity was registered from: a GitRepository's URL is
   * the tenant's to write, and a field manager's name anyone's to claim.
   * The deploy tracker only reads commit details (`registeredRepository`
   * null).
   */
  async withRepo<T>(
    git: Pick<GitContext, 'repoUrl'> & {
      registeredRepository: RepositoryOfUrl | null;
    },
    work: (repo: LocalRepo) => Promise<T>,
  ): Promise<T> {
    // Flux may clone over SSH with a deploy key; the portal clones over
    // the integration's HTTP URL.
    const repoUrl = this.workspace.cloneUrl(git.repoUrl);
    if (git.registeredRepository !== null) {
      requireRegisteredRepository(
        git.repoUrl,
        repositoryOfCloneUrl(repoUrl),
        git.registeredRepository,
      );
    }
    const credentials = resolveGitCredentials({
      repoUrl,
      auth: { from: 'integration' },
      integrations: this.integrations,
    });
    return this.workspace.withRepo(repoUrl, credentials, work);
  }

  /** Whether deploys or previews are working on the repository now. */
  isBusy(repoUrl: string): boolean {
    return this.workspace.isBusy(this.workspace.cloneUrl(repoUrl));
  }

  /** A link to a commit on the Git host's web UI. */
  commitLink(repoUrl: string, sha: string): string | undefined {
    return commitWebUrl(this.workspace.cloneUrl(repoUrl), sha);
  }
}

/**
 * What the portal reads of an overlay at most: it is tenant content, read
 * on a request, so its cost must not be the tenant's choice. Parsing YAML
 * and diffing text run on the event loop, so the files the portal parses
 * (kustomization.yaml, the deploy patch) and the text it diffs are capped
 * far lower than what it only reads: a 256 KiB YAML file takes the parser
 * most of a second, and two very different 50 KiB files take a line diff
 * seconds.
 */
export const OVERLAY_LIMITS = {
  files: 100,
  fileBytes: 256 * 1024,
  parsedFileBytes: 16 * 1024,
  /** A file's diff is shown when before and after together are smaller. */
  diffFileBytes: 32 * 1024,
  /** All diffs of one answer together. */
  diffTotalBytes: 64 * 1024,
  /** Beyond this many changed lines a file's diff is not worked out. */
  diffEditLines: 1000,
};

/** Refuses (400) an overlay file too large for the portal to parse. */
export function requireParsable(path: string, text: string | undefined) {
  const bytes = text === undefined ? 0 : Buffer.byteLength(text);
  if (bytes > OVERLAY_LIMITS.parsedFileBytes) {
    throw new InputError(
      `overlay: ${path} is ${bytes} bytes; the portal edits overlay files of at most ${OVERLAY_LIMITS.parsedFileBytes} bytes (kustomization.yaml and ${DEPLOY_PATCH_FILE})`,
    );
  }
}

/**
 * Every file of a directory at a commit, by path; an overlay beyond
 * OVERLAY_LIMITS is refused (400) naming the directory or the file.
 */
export async function readDir(repo: LocalRepo, commit: string, dir: string) {
  const entries = await repo.listFiles(commit, dir || '.');
  if (entries.length > OVERLAY_LIMITS.files) {
    throw new InputError(
      `overlay: ${dir || '.'} has ${entries.length} files at ${commit.slice(
        0,
        12,
      )}; the portal reads overlays of at most ${OVERLAY_LIMITS.files} files`,
    );
  }
  const large = entries.find(e => e.size > OVERLAY_LIMITS.fileBytes);
  if (large) {
    throw new InputError(
      `overlay: ${large.path} is ${large.size} bytes at ${commit.slice(
        0,
        12,
      )}; the portal reads overlay files of at most ${
        OVERLAY_LIMITS.fileBytes
      } bytes`,
    );
  }
  // A link's "content" is its target: never read as the file it stands for.
  const link = entries.find(
    e =>
      e.mode === GIT_SYMLINK_MODE &&
      (e.path === dir || OVERLAY_FILES_EDITED.includes(posix.basename(e.path))),
  );
  if (link) {
    throw new InputError(
      `overlay: ${link.path} is a symbolic link at ${commit.slice(
        0,
        12,
      )}; the portal reads and edits only regular files (kustomization.yaml and ${DEPLOY_PATCH_FILE})`,
    );
  }
  const files = new Map<string, string>();
  for (const { path } of entries) {
    files.set(path, (await repo.show(commit, path)) ?? '');
  }
  return files;
}

/** A short digest of an overlay's files, to notice it changed since a preview. */
export function digestOf(files: Map<string, string>): string {
  const hash = createHash('sha256');
  for (const path of [...files.keys()].sort()) {
    hash.update(path).update('\0').update(files.get(path)!).update('\0');
  }
  return hash.digest('hex').slice(0, 20);
}

export function joinPath(dir: string, file: string) {
  return dir ? `${dir}/${file}` : file;
}
