import { ConflictError, InputError } from '@backstage/errors';
import {
  DeployRecord,
  PipelineDeployReport,
} from '@gitops-backstage/plugin-gitops-common';
import { FluxActions } from '../actions/FluxActions';
import { EntityScope } from '../entities/EntityScope';
import { DeployStore } from './DeployStore';
import {
  environmentContext,
  branchRevision,
  gitContext,
  requestEnvironmentReconcile,
} from './environmentContext';
import { OverlayRepos } from './overlayRepo';

/** Records a pipeline's deploy, or claims the push Flux already applied. */
export class PipelineReportService {
  constructor(
    private readonly options: {
      actions: FluxActions;
      store: DeployStore;
      repos: OverlayRepos;
    },
  ) {}

  async report(
    scope: EntityScope,
    report: PipelineDeployReport,
  ): Promise<DeployRecord> {
    const { store } = this.options;
    const context = environmentContext(scope, report.environment);
    const git = gitContext(context);
    const triggeredBy = report.pipeline
      ? `pipeline:${report.pipeline}`
      : `pipeline:${scope.caller.service}`;
    const info = await this.options.repos.withRepo(git, async repo =>
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
      ...scope.binding,
    };
    const inserted = await store.insert({
      ...context.target,
      ...fields,
      environment: context.environment,
      method: 'pipeline',
      status: 'pending',
      revision: branchRevision(git.branch, report.revision),
      commitSha: report.revision,
      commitMessage: info.message,
      commitAuthor: info.author,
      commitUrl: this.options.repos.commitLink(git.repoUrl, report.revision),
    });
    if (inserted) {
      await requestEnvironmentReconcile(this.options.actions, context);
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
}
