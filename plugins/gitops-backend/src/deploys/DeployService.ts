import { createHash } from 'node:crypto';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import { ScmIntegrationRegistry } from '@backstage/integration';
import { AppsV1Api, PatchStrategy } from '@kubernetes/client-node';
import { createTwoFilesPatch } from 'diff';
import {
  DeployChanges,
  DeployFileChange,
  DeployPreview,
  DeployRecord,
  DeployResult,
  ManualDeployRequest,
  ManualDeployResult,
  PipelineDeployReport,
} from '@gitops-backstage/plugin-gitops-common';
import {
  describeKubernetesError,
  resolveGitCredentials,
} from '@gitops-backstage/plugin-gitops-node';
import { FluxActions } from '../service/fluxActions';
import { FluxStatusService } from '../service/FluxStatusService';
import { DeployStore } from './DeployStore';
import {
  commitLink,
  EnvironmentContext,
  environmentContext,
  fluxRevision,
  gitContext,
  GitContext,
} from './environmentContext';
import { GitIdentity, GitWorkspace, LocalRepo } from './GitWorkspace';
import { applyDeployChanges, DEPLOY_PATCH_FILE } from './overlayPatch';

/** The field manager of manual deploys; the tracker knows it as ours. */
export const MANUAL_FIELD_MANAGER = 'backstage-gitops-manual';

const PUSH_ATTEMPTS = 5;
const KUSTOMIZATION_FILES = [
  'kustomization.yaml',
  'kustomization.yml',
  'Kustomization',
];

/** Who asked: a user entity ref and the identity their commits carry. */
export interface Requester {
  ref: string;
  identity: GitIdentity;
}

interface PreparedChange {
  git: GitContext;
  head: string;
  digest: string;
  files: DeployFileChange[];
  target: { deployment: string; container: string };
}

/**
 * Deploys through Git (gitops-ui), rollbacks, pipeline reports and manual
 * deploys. Git-based deploys are recorded before they are pushed, so that
 * the tracker never mistakes them for someone else's push.
 */
export class DeployService {
  constructor(
    private readonly options: {
      status: FluxStatusService;
      actions: FluxActions;
      store: DeployStore;
      workspace: GitWorkspace;
      integrations: ScmIntegrationRegistry;
    },
  ) {}

  context(entityRef: string, selector: string, environment: string) {
    return environmentContext(
      this.options.status,
      entityRef,
      selector,
      environment,
    );
  }

  async preview(
    context: EnvironmentContext,
    changes: DeployChanges,
    deployment?: string,
  ): Promise<DeployPreview> {
    const git = gitContext(context);
    return this.withRepo(git, async repo => {
      const prepared = await this.prepare(
        repo,
        context,
        git,
        changes,
        deployment,
      );
      return toPreview(context, prepared);
    });
  }

  async deploy(
    context: EnvironmentContext,
    request: {
      changes: DeployChanges;
      message: string;
      deployment?: string;
      expectedOverlayDigest?: string;
    },
    requester: Requester,
    entityRef: string,
  ): Promise<DeployResult> {
    const git = gitContext(context);
    return this.withRepo(git, async repo => {
      const prepared = await this.prepare(
        repo,
        context,
        git,
        request.changes,
        request.deployment,
      );
      if (
        request.expectedOverlayDigest &&
        request.expectedOverlayDigest !== prepared.digest
      ) {
        throw new ConflictError(
          `the overlay ${git.overlayPath} on ${
            git.branch
          } changed since your preview (the branch is now at ${prepared.head.slice(
            0,
            7,
          )}); preview again`,
        );
      }
      if (prepared.files.length === 0) {
        throw new InputError(
          `changes: the overlay of '${context.environment}' already has these values; nothing to deploy`,
        );
      }
      await repo.checkout(prepared.head);
      for (const file of prepared.files) {
        await repo.writeFile(file.path, file.after);
      }
      return this.commitAndPush(repo, context, git, {
        message: request.message,
        requester,
        entityRef,
        expectedOverlayDigest: request.expectedOverlayDigest,
      });
    });
  }

  /** Restores the overlay as it was at a past deploy, as a new commit. */
  async rollback(
    context: EnvironmentContext,
    deploy: DeployRecord,
    options: { message?: string; dryRun?: boolean },
    requester: Requester,
    entityRef: string,
  ): Promise<DeployPreview | DeployResult> {
    if (!deploy.commitSha) {
      throw new InputError(
        `deploy ${deploy.id} is a ${deploy.method} deploy without a commit; only deploys through Git can be restored`,
      );
    }
    const sha = deploy.commitSha;
    const git = gitContext(context);
    return this.withRepo(git, async repo => {
      const head = await repo.fetch(git.branch);
      if (!(await repo.ensureCommit(sha, git.branch))) {
        throw new NotFoundError(
          `commit ${sha.slice(0, 7)} of deploy ${deploy.id} is no longer in ${
            git.repoUrl
          }`,
        );
      }
      const before = await this.readDir(repo, head, git.overlayPath);
      const after = await this.readDir(repo, sha, git.overlayPath);
      const files: DeployFileChange[] = [];
      for (const path of new Set([...before.keys(), ...after.keys()])) {
        if (before.get(path) !== after.get(path)) {
          files.push({
            path,
            before: before.get(path),
            after: after.get(path) ?? '',
          });
        }
      }
      if (files.length === 0) {
        throw new InputError(
          `the overlay of '${context.environment}' is already as it was at deploy ${deploy.id}; nothing to roll back`,
        );
      }
      if (options.dryRun) {
        return toPreview(context, {
          git,
          head,
          digest: digestOf(before),
          files,
          target: { deployment: '', container: '' },
        });
      }
      await repo.checkout(head);
      await repo.restoreDir(sha, git.overlayPath);
      const message =
        options.message?.trim() ||
        `Roll back ${context.environment} to ${sha.slice(0, 7)} (deploy #${
          deploy.id
        })`;
      return this.commitAndPush(repo, context, git, {
        message,
        requester,
        entityRef,
        rollbackOf: deploy.id,
      });
    });
  }

  /** Records a pipeline's deploy, or claims the push Flux already applied. */
  async reportPipeline(
    context: EnvironmentContext,
    report: PipelineDeployReport,
    pipeline: string,
  ): Promise<DeployRecord> {
    const { store } = this.options;
    const git = gitContext(context);
    const triggeredBy = report.pipeline
      ? `pipeline:${report.pipeline}`
      : pipeline;
    const info = await this.withRepo(git, async repo =>
      (await repo.ensureCommit(report.revision, git.branch))
        ? repo.commitInfo(report.revision)
        : undefined,
    );
    if (!info) {
      throw new InputError(
        `revision: commit ${report.revision} is not on ${git.branch} of ${git.repoUrl}`,
      );
    }
    const fields = {
      triggeredBy,
      pipelineUrl: report.pipelineUrl,
      entityRef: report.entityRef,
    };
    const inserted = await store.insert({
      ...context.target,
      ...fields,
      environment: context.environment,
      method: 'pipeline',
      status: 'pending',
      revision: fluxRevision(git.branch, report.revision),
      commitSha: report.revision,
      commitMessage: info.message,
      commitAuthor: info.author,
      commitUrl: commitLink(
        this.options.workspace.cloneUrl(git.repoUrl),
        report.revision,
      ),
    });
    if (inserted) {
      await this.requestReconcile(context);
      return inserted;
    }
    const claimed = await store.claimForPipeline(
      context.target,
      report.revision,
      fields,
    );
    if (!claimed || claimed.method !== 'pipeline') {
      throw new ConflictError(
        `commit ${report.revision.slice(
          0,
          7,
        )} was deployed from the portal (deploy ${
          claimed?.id
        }); it is not a pipeline deploy`,
      );
    }
    return claimed;
  }

  /** Sets an image in the cluster directly, outside Git. */
  async manualDeploy(
    context: EnvironmentContext,
    request: ManualDeployRequest & { deployment?: string },
    requester: Requester,
    entityRef: string,
  ): Promise<ManualDeployResult> {
    const deployment = pickDeployment(context, request.deployment);
    const apps = context.watcher.config.makeApiClient(AppsV1Api);
    let current;
    try {
      current = await apps.readNamespacedDeployment(deployment);
    } catch (error) {
      throw new Error(
        `reading Deployment ${deployment.namespace}/${
          deployment.name
        }: ${describeKubernetesError(error)}`,
      );
    }
    const containers = current.spec?.template.spec?.containers ?? [];
    const container = request.container
      ? containers.find(c => c.name === request.container)
      : containers[0];
    if (!container) {
      throw new InputError(
        `container: Deployment ${deployment.name} has no container '${
          request.container
        }' (it has ${containers.map(c => c.name).join(', ')})`,
      );
    }
    try {
      await context.watcher.objectsApi.patch(
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: deployment.name, namespace: deployment.namespace },
          spec: {
            template: {
              spec: {
                containers: [{ name: container.name, image: request.image }],
              },
            },
          },
        },
        undefined,
        undefined,
        MANUAL_FIELD_MANAGER,
        // A manual deploy takes the image over from Flux on purpose.
        true,
        PatchStrategy.ServerSideApply,
      );
    } catch (error) {
      throw new Error(
        `applying the image to Deployment ${deployment.namespace}/${
          deployment.name
        }: ${describeKubernetesError(error)}`,
      );
    }
    const deploy = await this.options.store.insert({
      ...context.target,
      entityRef,
      environment: context.environment,
      method: 'manual',
      status: 'progressing',
      triggeredBy: requester.ref,
      message: request.reason,
      details: {
        deployment: deployment.name,
        namespace: deployment.namespace,
        container: container.name,
        image: request.image,
        previousImage: container.image,
      },
    });
    const suspended = Boolean(context.kustomization.spec?.suspend);
    return {
      deploy: deploy!,
      warning: suspended
        ? undefined
        : `Flux reverts this image at the next reconcile of Kustomization ${
            context.target.namespace
          }/${context.target.kustomization} (every ${
            context.kustomization.spec?.interval ?? '?'
          }); suspend the environment's auto-sync to keep it`,
    };
  }

  private async prepare(
    repo: LocalRepo,
    context: EnvironmentContext,
    git: GitContext,
    changes: DeployChanges,
    deploymentName?: string,
  ): Promise<PreparedChange> {
    const deployment = pickDeployment(context, deploymentName);
    const head = await repo.fetch(git.branch);
    const overlay = await this.readDir(repo, head, git.overlayPath);
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

  private async containerName(
    context: EnvironmentContext,
    deployment: { namespace: string; name: string },
    patch?: string,
  ): Promise<string> {
    const named = /containers:\s*\n\s*-\s*name:\s*(\S+)/.exec(patch ?? '')?.[1];
    if (named) {
      return named;
    }
    const apps = context.watcher.config.makeApiClient(AppsV1Api);
    try {
      const found = await apps.readNamespacedDeployment(deployment);
      const containers = found.spec?.template.spec?.containers ?? [];
      return (containers.find(c => c.name === 'app') ?? containers[0]).name;
    } catch (error) {
      throw new Error(
        `reading Deployment ${deployment.namespace}/${
          deployment.name
        }: ${describeKubernetesError(error)}`,
      );
    }
  }

  private async commitAndPush(
    repo: LocalRepo,
    context: EnvironmentContext,
    git: GitContext,
    options: {
      message: string;
      requester: Requester;
      entityRef: string;
      expectedOverlayDigest?: string;
      rollbackOf?: number;
    },
  ): Promise<DeployResult> {
    const { store } = this.options;
    let sha = await repo.commit(options.message, options.requester.identity);
    if (!sha) {
      throw new InputError('nothing to commit');
    }
    const deploy = await store.insert({
      ...context.target,
      entityRef: options.entityRef,
      environment: context.environment,
      method: 'gitops-ui',
      status: 'pending',
      revision: fluxRevision(git.branch, sha),
      commitSha: sha,
      commitMessage: options.message,
      commitAuthor: options.requester.identity.name,
      commitUrl: commitLink(this.options.workspace.cloneUrl(git.repoUrl), sha),
      triggeredBy: options.requester.ref,
      rollbackOf: options.rollbackOf,
    });
    if (!deploy) {
      throw new ConflictError(`commit ${sha} is recorded already`);
    }
    try {
      for (let attempt = 1; attempt <= PUSH_ATTEMPTS; attempt++) {
        if (await repo.push(git.branch)) {
          await this.requestReconcile(context);
          return {
            deploy: (await store.get(deploy.id))!,
            pushAttempts: attempt,
          };
        }
        // Someone pushed first: replay our commit on theirs, unless they
        // changed the overlay the user previewed.
        const head = await repo.fetch(git.branch);
        if (options.expectedOverlayDigest) {
          const overlay = await this.readDir(repo, head, git.overlayPath);
          if (digestOf(overlay) !== options.expectedOverlayDigest) {
            throw new ConflictError(
              `the overlay ${git.overlayPath} changed on ${
                git.branch
              } while deploying (now at ${head.slice(
                0,
                7,
              )}); nothing was pushed, preview again`,
            );
          }
        }
        if (!(await repo.rebase(head))) {
          throw new ConflictError(
            `the deploy conflicts with commit ${head.slice(0, 7)} pushed to ${
              git.branch
            } meanwhile; nothing was pushed, preview again`,
          );
        }
        sha = await repo.head();
        await store.update(deploy.id, ['pending'], {
          commitSha: sha,
          revision: fluxRevision(git.branch, sha),
          commitUrl: commitLink(
            this.options.workspace.cloneUrl(git.repoUrl),
            sha,
          ),
        });
      }
      throw new ConflictError(
        `${git.branch} kept moving during ${PUSH_ATTEMPTS} push attempts; nothing was pushed, try again`,
      );
    } catch (error) {
      await store.remove(deploy.id);
      throw error;
    }
  }

  private async requestReconcile(context: EnvironmentContext) {
    const { actions } = this.options;
    const requests = [context.source, context.kustomization].filter(
      (r): r is NonNullable<typeof r> => Boolean(r),
    );
    for (const resource of requests) {
      await actions
        .requestReconcile(context.watcher, resource)
        .catch(() => undefined);
    }
  }

  private async readDir(repo: LocalRepo, commit: string, dir: string) {
    const files = new Map<string, string>();
    for (const path of await repo.listFiles(commit, dir || '.')) {
      files.set(path, (await repo.show(commit, path)) ?? '');
    }
    return files;
  }

  private withRepo<T>(git: GitContext, work: (repo: LocalRepo) => Promise<T>) {
    const repoUrl = this.options.workspace.cloneUrl(git.repoUrl);
    const credentials = resolveGitCredentials({
      repoUrl,
      auth: { from: 'integration' },
      integrations: this.options.integrations,
    });
    return this.options.workspace.withRepo(repoUrl, credentials, work);
  }
}

function pickDeployment(context: EnvironmentContext, name?: string) {
  const { deployments, environment } = context;
  if (name) {
    const found = deployments.find(d => d.name === name);
    if (!found) {
      throw new InputError(
        `deployment: '${name}' is not deployed in '${environment}' (found ${
          deployments.map(d => d.name).join(', ') || 'none'
        })`,
      );
    }
    return found;
  }
  if (deployments.length !== 1) {
    throw new InputError(
      deployments.length === 0
        ? `environment: '${environment}' has no Deployment in its Kustomization's inventory yet`
        : `deployment: '${environment}' has ${
            deployments.length
          } Deployments (${deployments
            .map(d => d.name)
            .join(', ')}); name the one to deploy`,
    );
  }
  return deployments[0];
}

/** The name before the Kustomization's namePrefix and nameSuffix. */
function nameInOverlay(context: EnvironmentContext, name: string): string {
  const prefix = String(context.kustomization.spec?.namePrefix ?? '');
  const suffix = String(context.kustomization.spec?.nameSuffix ?? '');
  let base = name;
  if (prefix && base.startsWith(prefix)) {
    base = base.slice(prefix.length);
  }
  if (suffix && base.endsWith(suffix)) {
    base = base.slice(0, -suffix.length);
  }
  return base;
}

function toPreview(
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

function digestOf(files: Map<string, string>): string {
  const hash = createHash('sha256');
  for (const path of [...files.keys()].sort()) {
    hash.update(path).update('\0').update(files.get(path)!).update('\0');
  }
  return hash.digest('hex').slice(0, 20);
}

function joinPath(dir: string, file: string) {
  return dir ? `${dir}/${file}` : file;
}
