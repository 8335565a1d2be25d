import { GitOpsErrorCode } from './errorCodes';

/**
 * What a failure means and what to do about it.
 *
 * @public
 */
export interface FailureClassification {
  code: GitOpsErrorCode;
  cause: string;
  fix: string;
}

/**
 * The object a diagnosis blames: a referenced object, a workload, a Git
 * ref (`kind` branch/tag/semver/commit), a path in the source, or a spec
 * field (`kind` spec.timeout).
 *
 * @public
 */
export interface DiagnosisReference {
  kind: string;
  name: string;
  namespace?: string;
  /** The spec field that names it, when it comes from the spec. */
  field?: string;
}

/**
 * A classification with what it stands on.
 *
 * - structure: the object's kind, conditions and the facts about what it refers to;
 * - api-status: the API server's status reason carried in the message;
 * - message: only the message's wording matched;
 * - unrecognised: no rule knew it; `details` says what Flux said.
 *
 * @public
 */
export interface Diagnosis extends FailureClassification {
  basis: 'structure' | 'api-status' | 'message' | 'unrecognised';
  reference?: DiagnosisReference;
  /** The controller's reason and message and the latest warning events, in plain words. */
  details: string[];
}
