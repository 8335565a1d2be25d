import { Diagnosis, DiagnosisReference } from './diagnosis';
import { GitOpsErrorCode } from './errorCodes';
import { NamedRef } from './messages';
import { ReferenceFact } from './references';

/** What one rule finds; diagnoseFluxFailure adds the details. */
export type Verdict = Omit<Diagnosis, 'details'>;

export const verdict = (
  basis: Diagnosis['basis'],
  code: GitOpsErrorCode,
  cause: string,
  fix: string,
  reference?: DiagnosisReference,
): Verdict => ({ basis, code, cause, fix, reference });

export const asRef = (ref: NamedRef | ReferenceFact, field?: string) => ({
  kind: ref.kind,
  name: ref.name,
  namespace: ref.namespace,
  ...(field ? { field } : {}),
});
