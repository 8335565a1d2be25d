import { createHash } from 'node:crypto';
import { ScmIntegrationRegistry } from '@backstage/integration';
import { commitWebUrl } from '@gitops-backstage/plugin-gitops-common';
import { resolveGitCredentials } from '@gitops-backstage/plugin-gitops-node';
import { NotAllowedError } from '@backstage/errors';
import { repositoryOfUrl } from '../entities/registeredRepository';
import { GitContext } from './environmentContext';
import { GitWorkspace, LocalRepo } from './GitWorkspace';

/** Names Kustomize reads an overlay's kustomization from. */
export const KUSTOMIZATION_FILES = [
  'kustomization.yaml',
  'kustomization.yml',
  'Kustomization',
];

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
      registeredRepository: string | undefined | null;
    },
    work: (repo: LocalRepo) => Promise<T>,
  ): Promise<T> {
    // Flux may clone over SSH with a deploy key; the portal clones over
    // the integration's HTTP URL.
    const repoUrl = this.workspace.cloneUrl(git.repoUrl);
    if (git.registeredRepository !== null) {
      const repository = repositoryOfUrl(repoUrl);
      if (!repository || repository !== git.registeredRepository) {
        throw new NotAllowedError(
          `${
            git.repoUrl
          } is not the repository the entity was registered from (${
            git.registeredRepository ?? 'its catalog entry names none'
          }); the portal commits and reads with its own credentials only there`,
        );
      }
    }
    const credentials = resolveGitCredentials({
      repoUrl,
      auth: { from: 'integration' },
      integrations: this.integrations,
    });
    return this.workspace.withRepo(repoUrl, credentials, work);
  }

  /** A link to a commit on the Git host's web UI. */
  commitLink(repoUrl: string, sha: string): string | undefined {
    return commitWebUrl(this.workspace.cloneUrl(repoUrl), sha);
  }
}

/** Every file of a directory at a commit, by path. */
export async function readDir(repo: LocalRepo, commit: string, dir: string) {
  const files = new Map<string, string>();
  for (const path of await repo.listFiles(commit, dir || '.')) {
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
