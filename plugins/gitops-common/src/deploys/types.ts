/**
 * How a deployment happened (seed 003's four methods):
 * - gitops-ui: a deploy form in the portal committed to Git; Flux applied it.
 * - gitops-git: someone pushed to the repository; Flux applied it.
 * - pipeline: a CI/CD pipeline reported the deploy.
 * - manual: set by hand in the cluster, outside Git.
 *
 * @public
 */
export type DeployMethod = 'gitops-ui' | 'gitops-git' | 'pipeline' | 'manual';

/** @public */
export const DEPLOY_METHODS: DeployMethod[] = [
  'gitops-ui',
  'gitops-git',
  'pipeline',
  'manual',
];

/**
 * pending → progressing → succeeded or failed.
 *
 * @public
 */
export type DeployStatus = 'pending' | 'progressing' | 'succeeded' | 'failed';

/**
 * One row of the deploy history.
 *
 * @public
 */
export interface DeployRecord {
  id: number;
  entityRef?: string;
  /**
   * The repository the entity was registered from when the deploy was
   * recorded, where known: an entity of the same name registered later
   * from another repository is another entity.
   */
  entityRepository?: string;
  environment: string;
  cluster: string;
  /** The Flux Kustomization that deploys the environment. */
  namespace: string;
  kustomization: string;
  method: DeployMethod;
  status: DeployStatus;
  /** Flux's reason when failed, or what the tracker saw last. */
  reason?: string;
  message?: string;
  /** Flux revision, `<branch>@sha1:<sha>`. */
  revision?: string;
  commitSha?: string;
  commitMessage?: string;
  commitAuthor?: string;
  commitUrl?: string;
  /** A user entity ref, a pipeline's name, or a field manager. */
  triggeredBy: string;
  pipelineUrl?: string;
  /** The deploy a rollback restores. */
  rollbackOf?: number;
  /** What a manual deploy set, e.g. the image. */
  details?: Record<string, unknown>;
  createdAt: string;
  finishedAt?: string;
}

/**
 * `GET /api/gitops/entities/:kind/:namespace/:name/deploys`
 * (`?environment=&method=&limit=`).
 *
 * @public
 */
export interface DeployHistory {
  items: DeployRecord[];
}

/** @public */
export interface ResourceQuantitiesSpec {
  cpu?: string;
  memory?: string;
}

/**
 * What a gitops-ui deploy changes in the environment's overlay; fields left
 * out keep their current value.
 *
 * @public
 */
export interface DeployChanges {
  image?: string;
  replicas?: number;
  /** Variables to set; a null value removes the variable. */
  env?: Record<string, string | null>;
  resources?: {
    requests?: ResourceQuantitiesSpec;
    limits?: ResourceQuantitiesSpec;
  };
}

/**
 * Body of `POST .../deploys/preview` and `POST .../deploys`.
 *
 * @public
 */
export interface DeployRequest {
  environment: string;
  changes: DeployChanges;
  /** Commit message (deploy only). */
  message?: string;
  /**
   * The `overlayDigest` of the preview the user confirmed: the deploy is
   * refused with 409 when the overlay changed since.
   */
  expectedOverlayDigest?: string;
}

/**
 * One file a deploy writes, before and after.
 *
 * @public
 */
export interface DeployFileChange {
  path: string;
  before?: string;
  after: string;
}

/**
 * Answer of `POST .../deploys/preview`.
 *
 * @public
 */
export interface DeployPreview {
  environment: string;
  repoUrl: string;
  branch: string;
  /** The branch head the preview was computed on. */
  baseCommit: string;
  overlayPath: string;
  /** Identifies the overlay's content; send it back to deploy. */
  overlayDigest: string;
  files: DeployFileChange[];
  /** Unified diff of {@link DeployPreview.files}. */
  diff: string;
  /** The Deployment the overlay patches and its container. */
  target: { deployment: string; container: string };
  /** Nothing would change. */
  empty: boolean;
}

/**
 * Answer of `POST .../deploys` and of a rollback.
 *
 * @public
 */
export interface DeployResult {
  deploy: DeployRecord;
  /** Attempts it took to push (more than one when the branch moved). */
  pushAttempts: number;
}

/**
 * Body of `POST /api/gitops/deploys/pipeline` (service credentials).
 *
 * @public
 */
export interface PipelineDeployReport {
  entityRef: string;
  environment: string;
  /** Full commit sha the pipeline deployed. */
  revision: string;
  pipelineUrl?: string;
  /** Name of the pipeline, shown as who triggered it. */
  pipeline?: string;
}

/**
 * Body of `POST .../deploys/manual`.
 *
 * @public
 */
export interface ManualDeployRequest {
  environment: string;
  image: string;
  /** Container name; the Deployment's only or first container if left out. */
  container?: string;
  reason?: string;
}

/**
 * Answer of a manual deploy.
 *
 * @public
 */
export interface ManualDeployResult {
  deploy: DeployRecord;
  /** Set when Flux will revert the change at its next reconcile. */
  warning?: string;
}

/**
 * Body of `POST .../deploys/:id/rollback`.
 *
 * @public
 */
export interface RollbackRequest {
  message?: string;
  /** Answer the preview only. */
  dryRun?: boolean;
}
