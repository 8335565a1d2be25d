/**
 * Rules that stand on the facts about the objects a spec refers to
 * (gathered by the caller from the cluster): missing, lacking a key, or
 * not Ready.
 */
import { FluxResource } from '../status';
import { SOURCE_KINDS } from './fluxControllers';
import { dependencyInMessage } from './messages';
import { FailureFacts, ReferenceFact } from './references';
import { asRef, verdict } from './verdict';

const FIELD_WORDS: Array<[RegExp, string]> = [
  [/^spec\.decryption/, 'decryption'],
  [/^spec\.postBuild\.substituteFrom/, 'substitution'],
  [/^spec\.kubeConfig/, 'kubeconfig'],
  [/^spec\.valuesFrom/, 'values'],
  [/^spec\.secretRef/, 'credentials'],
  [/^spec\.certSecretRef/, 'TLS'],
  [/^spec\.proxySecretRef/, 'proxy'],
  [/^spec\.verify/, 'verification'],
  [/^spec\.serviceAccountName/, 'impersonated'],
  [/sourceRef|chartRef/, 'source'],
];

function describeReference(ref: ReferenceFact): string {
  const word = FIELD_WORDS.find(([re]) => re.test(ref.field))?.[1];
  return `${word ? `${word} ` : ''}${ref.kind} ${ref.name}`;
}

function fixForMissing(object: FluxResource, ref: ReferenceFact): string {
  const ns = ref.namespace;
  switch (ref.kind) {
    case 'ServiceAccount':
      return `Create ServiceAccount ${ref.name} in ${ns} and bind it a Role (kubectl -n ${ns} create serviceaccount ${ref.name}; kubectl -n ${ns} create rolebinding ${ref.name}-admin --clusterrole=admin --serviceaccount=${ns}:${ref.name}), or correct ${ref.field}.`;
    case 'Secret':
    case 'ConfigMap':
      return `Create ${ref.kind} ${
        ref.name
      } in namespace ${ns} (kubectl -n ${ns} get ${ref.kind.toLowerCase()} ${
        ref.name
      } shows it is missing), or correct ${ref.field} of ${object.kind} ${
        object.metadata.name
      }${
        ref.field.includes('valuesFrom') || ref.field.includes('substituteFrom')
          ? '; set optional: true there if the object may run without it'
          : ''
      }.`;
    default:
      return `Create ${ref.kind} ${ns}/${ref.name}, or correct ${ref.field} of ${object.kind} ${object.metadata.name}.`;
  }
}

export function byMissingReference(object: FluxResource, facts: FailureFacts) {
  const missing = (facts.references ?? []).find(
    r => !r.exists && !r.optional && !r.field.startsWith('spec.dependsOn'),
  );
  if (!missing) {
    return undefined;
  }
  return verdict(
    'structure',
    'RESOURCE_NOT_FOUND',
    `${describeReference(missing)} not found in namespace ${
      missing.namespace
    } (named by ${missing.field}).`,
    fixForMissing(object, missing),
    asRef(missing, missing.field),
  );
}

/** A values or substitution source that exists but lacks the key named. */
export function byMissingKey(facts: FailureFacts, message: string) {
  if (!/\bkey\b/i.test(message)) {
    return undefined;
  }
  const holder = (facts.references ?? []).find(
    r =>
      r.exists &&
      /valuesFrom|substituteFrom/.test(r.field) &&
      message.includes(r.name),
  );
  if (!holder) {
    return undefined;
  }
  const key = /key '?"?([\w.-]+)/i.exec(message)?.[1];
  return verdict(
    'structure',
    'RESOURCE_NOT_FOUND',
    `${describeReference(holder)} has no key ${
      key ?? '(the one named)'
    } (named by ${holder.field}).`,
    `Add key ${key ?? ''} to ${holder.kind} ${holder.namespace}/${
      holder.name
    }, or set valuesKey in ${holder.field} to a key it has.`,
    asRef(holder, holder.field),
  );
}

export function byDependencies(
  object: FluxResource,
  facts: FailureFacts,
  reason: string,
  message: string,
) {
  if (reason !== 'DependencyNotReady') {
    return undefined;
  }
  const named = dependencyInMessage(message);
  const deps = (facts.references ?? []).filter(r =>
    r.field.startsWith('spec.dependsOn'),
  );
  const fact =
    deps.find(
      d => named && d.name === named.name && d.namespace === named.namespace,
    ) ?? deps.find(d => !d.exists || d.ready?.status !== 'True');
  const ref = fact ?? (named ? { ...named, kind: object.kind } : undefined);
  const state =
    fact && !fact.exists
      ? 'does not exist'
      : `is not Ready${
          fact?.ready?.message ? `: ${fact.ready.message.trim()}` : ''
        }`;
  return verdict(
    'structure',
    'DEPENDENCY_NOT_READY',
    ref
      ? `It waits for ${ref.kind} ${ref.namespace}/${ref.name} (spec.dependsOn), which ${state}.`
      : 'An object in spec.dependsOn is not Ready yet.',
    fact && !fact.exists
      ? `Create ${fact.kind} ${fact.namespace}/${fact.name}, or remove it from spec.dependsOn.`
      : 'Fix the dependency first; this object reconciles once it is Ready.',
    ref ? asRef(ref, fact?.field ?? 'spec.dependsOn') : undefined,
  );
}

export function bySourceNotReady(
  facts: FailureFacts,
  reason: string,
  message: string,
) {
  // A source still on its first fetch (Ready Unknown) only counts when the
  // object itself says it waits for the source (a HelmChart says
  // NoSourceArtifact: "no artifact available for HelmRepository source").
  const waitsForSource =
    reason === 'NoSourceArtifact' ||
    /source is not ready|artifact not found|no artifact available|not ready/i.test(
      message,
    );
  const source = (facts.references ?? []).find(
    r =>
      SOURCE_KINDS.has(r.kind) &&
      /sourceRef|chartRef/.test(r.field) &&
      r.exists &&
      (r.ready?.status === 'False' ||
        (r.ready?.status !== 'True' && waitsForSource)),
  );
  if (!source) {
    return undefined;
  }
  return verdict(
    'structure',
    'DEPENDENCY_NOT_READY',
    `Its source ${source.kind} ${source.namespace}/${
      source.name
    } is not Ready: ${(source.ready?.message ?? '').trim()}`,
    `Fix the source first (flux -n ${source.namespace} get sources all); this object reconciles once the source has an artifact.`,
    asRef(source, source.field),
  );
}
