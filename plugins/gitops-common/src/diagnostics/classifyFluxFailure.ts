import { conditionOfType, FluxCondition, FluxResource } from '../status';
import { byApiStatus } from './apiStatusRules';
import { byReason, byWorkflow } from './applyRules';
import { Diagnosis, FailureClassification } from './diagnosis';
import { GitOpsErrorCode } from './errorCodes';
import { byControllers, controllerOf } from './fluxControllers';
import {
  byDependencies,
  byMissingKey,
  byMissingReference,
  bySourceNotReady,
} from './referenceRules';
import { FailureFacts } from './references';
import { bySource } from './sourceRules';

/**
 * A failing Flux object as its Ready condition describes it.
 *
 * @public
 */
export interface FluxFailure {
  kind: string;
  reason?: string;
  message?: string;
}

/** The condition that says why the object fails. */
function failingCondition(object: FluxResource): FluxCondition | undefined {
  const ready = conditionOfType(object, 'Ready');
  const stalled = conditionOfType(object, 'Stalled');
  // After a remediation (rollback, uninstall) Ready tells of the remedy;
  // the release or test condition still holds the failure itself.
  if (
    object.kind === 'HelmRelease' &&
    ready?.status === 'False' &&
    /(Rollback|Uninstall)Succeeded|RetriesExceeded/.test(ready.reason ?? '')
  ) {
    const cause = ['Released', 'TestSuccess']
      .map(type => conditionOfType(object, type))
      .find(c => c?.status === 'False');
    if (cause) {
      return cause;
    }
  }
  // helm-controller's Stalled says only that it gave up; Ready keeps the error.
  if (ready?.status === 'False') {
    return ready;
  }
  return stalled?.status === 'True' ? stalled : undefined;
}

// The last resort: words alone, for failures the structure rules miss.
const MESSAGE_RULES: Array<[RegExp, GitOpsErrorCode, string]> = [
  [
    /forbidden|cannot (get|list|create|patch|update|delete)/i,
    'INSUFFICIENT_PERMISSIONS',
    'The controller or its service account may not act on these objects.',
  ],
  [
    /conflict|already exists/i,
    'CONFLICT',
    'Another owner holds an object this one tries to set.',
  ],
  [
    /yaml|json: cannot unmarshal|mapping values are not allowed/i,
    'YAML_INVALID',
    'A manifest does not parse.',
  ],
  [
    /not found|no such file|does not exist/i,
    'RESOURCE_NOT_FOUND',
    'Something the object points at does not exist.',
  ],
];

function details(
  object: FluxResource,
  facts: FailureFacts,
  failing?: FluxCondition,
) {
  const lines = [
    failing
      ? `Flux says ${failing.type}=${failing.status} because ${
          failing.reason ?? 'of an unnamed reason'
        }: ${(failing.message ?? '').trim()}`
      : `${object.kind} has no failing condition (not reconciled yet).`,
  ];
  for (const e of (facts.events ?? [])
    .filter(x => x.type === 'Warning')
    .slice(0, 3)) {
    lines.push(
      `event ${e.reason ?? ''} at ${e.lastTimestamp ?? '?'}: ${(
        e.message ?? ''
      ).trim()}`,
    );
  }
  return lines;
}

/**
 * Diagnoses a failing Flux object from its structure first: the controller
 * that should reconcile it, the objects its spec refers to (facts gathered
 * by the caller from the cluster), its conditions' reasons, the API
 * server's status reason in the message; the message's wording last.
 * A pure function: the same object and facts always give the same answer.
 *
 * @public
 */
export function diagnoseFluxFailure(
  object: FluxResource,
  facts: FailureFacts = {},
): Diagnosis {
  const failing = failingCondition(object);
  const reason = failing?.reason ?? '';
  const message = (failing?.message ?? '').trim();
  const found =
    byControllers(object, facts, reason) ??
    (failing &&
      (byMissingReference(object, facts) ??
        byMissingKey(facts, message) ??
        byDependencies(object, facts, reason, message) ??
        bySourceNotReady(facts, reason, message) ??
        byReason(object, reason, message) ??
        byApiStatus(object, message) ??
        bySource(object, reason, message) ??
        byWorkflow(object, reason, message)));
  const said = details(object, facts, failing);
  if (found) {
    return { ...found, details: said };
  }
  const byWords = MESSAGE_RULES.find(([re]) => re.test(message));
  if (byWords) {
    return {
      basis: 'message',
      code: byWords[1],
      cause: byWords[2],
      fix: `Read the message and the events of the ${object.kind}.`,
      details: said,
    };
  }
  return {
    basis: 'unrecognised',
    code: 'RECONCILE_FAILED',
    cause: `${object.kind} ${object.metadata.namespace ?? ''}/${
      object.metadata.name
    } is failing: ${
      failing
        ? `Flux reports ${reason || 'no reason'}${
            message ? ` (“${message}”)` : ''
          }`
        : 'it has not been reconciled'
    }. No rule knows this failure yet.`,
    fix: `Read the events (flux -n ${object.metadata.namespace} events --for ${
      object.kind
    }/${object.metadata.name}) and the ${
      controllerOf(object.kind) ?? 'controller'
    } logs.`,
    details: said,
  };
}

/**
 * Maps a Flux failure known only by its kind, Ready reason and message to
 * an error code with its cause and fix. Without the object's spec and the
 * cluster's facts it is weaker than diagnoseFluxFailure; use that where the
 * object is at hand.
 *
 * @public
 */
export function classifyFluxFailure(
  failure: FluxFailure,
): FailureClassification {
  const { code, cause, fix } = diagnoseFluxFailure({
    apiVersion: '',
    kind: failure.kind,
    metadata: { name: '' },
    status: {
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: failure.reason,
          message: failure.message,
        },
      ],
    },
  });
  return { code, cause, fix };
}
