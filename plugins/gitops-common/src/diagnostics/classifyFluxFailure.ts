import { conditionOfType, FluxCondition, FluxResource } from '../status';
import { GitOpsErrorCode } from './errorCodes';
import {
  apiStatusReason,
  dependencyInMessage,
  impersonatedAccount,
  missingKind,
  NamedRef,
  notFoundInMessage,
  objectInMessage,
  TIMEOUT_TEXT,
  UNREACHABLE_TEXT,
  workloadsInHealthMessage,
} from './messages';
import { FailureFacts, ReferenceFact } from './references';

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

const SOURCE_KINDS = new Set([
  'GitRepository',
  'OCIRepository',
  'HelmRepository',
  'HelmChart',
  'Bucket',
  'ExternalArtifact',
]);

const CONTROLLER_OF: Record<string, string> = {
  Kustomization: 'kustomize-controller',
  HelmRelease: 'helm-controller',
  Alert: 'notification-controller',
  Provider: 'notification-controller',
  Receiver: 'notification-controller',
};

function controllerOf(kind: string): string | undefined {
  return SOURCE_KINDS.has(kind) ? 'source-controller' : CONTROLLER_OF[kind];
}

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

function gitRef(object: FluxResource): DiagnosisReference | undefined {
  const ref = (object.spec?.ref ?? {}) as Record<string, string>;
  for (const kind of ['commit', 'tag', 'semver', 'name', 'branch']) {
    if (ref[kind]) {
      return { kind, name: ref[kind], field: `spec.ref.${kind}` };
    }
  }
  return undefined;
}

function secretOf(object: FluxResource): DiagnosisReference | undefined {
  const name = (object.spec?.secretRef as { name?: string } | undefined)?.name;
  return name
    ? {
        kind: 'Secret',
        name,
        namespace: object.metadata.namespace,
        field: 'spec.secretRef',
      }
    : undefined;
}

type Verdict = Omit<Diagnosis, 'details'>;

const verdict = (
  basis: Diagnosis['basis'],
  code: GitOpsErrorCode,
  cause: string,
  fix: string,
  reference?: DiagnosisReference,
): Verdict => ({ basis, code, cause, fix, reference });

const asRef = (ref: NamedRef | ReferenceFact, field?: string) => ({
  kind: ref.kind,
  name: ref.name,
  namespace: ref.namespace,
  ...(field ? { field } : {}),
});

function byControllers(
  object: FluxResource,
  facts: FailureFacts,
  reason: string,
) {
  const down = new Set(
    (facts.controllers ?? []).filter(c => !c.available).map(c => c.name),
  );
  const own = controllerOf(object.kind);
  const artifactServer =
    !SOURCE_KINDS.has(object.kind) && reason === 'ArtifactFailed'
      ? 'source-controller'
      : undefined;
  const blamed = [own, artifactServer].find(c => c && down.has(c));
  if (!blamed) {
    return undefined;
  }
  return verdict(
    'structure',
    'CONTROLLER_UNHEALTHY',
    blamed === own
      ? `${blamed} is not Available, so nothing reconciles this ${object.kind}.`
      : `${blamed} is not Available, so the artifact of the source cannot be downloaded.`,
    `Bring the controller back: kubectl -n flux-system get deploy ${blamed}; kubectl -n flux-system logs deploy/${blamed} --tail=100; kubectl -n flux-system rollout restart deploy/${blamed}.`,
    { kind: 'Deployment', name: blamed, field: 'controller' },
  );
}

function byMissingReference(object: FluxResource, facts: FailureFacts) {
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
function byMissingKey(facts: FailureFacts, message: string) {
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

function byDependencies(
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

function bySourceNotReady(
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

function byApiStatus(object: FluxResource, message: string) {
  const status = apiStatusReason(message);
  const subject = objectInMessage(message);
  if (/field is immutable/.test(message)) {
    return verdict(
      'api-status',
      'CONFLICT',
      `The API server refused to change an immutable field of ${
        subject ? `${subject.kind} ${subject.name}` : 'an applied object'
      } (Invalid: field is immutable).`,
      object.kind === 'Kustomization'
        ? 'Recreate the object: delete it and let Flux apply it again (downtime while it is gone), or set spec.force: true on the Kustomization so Flux recreates objects with immutable changes itself (every such change then deletes and recreates, including data-bearing objects).'
        : 'Recreate the object: delete it and reconcile (downtime while it is gone), or set spec.upgrade.force: true on the HelmRelease so Helm replaces it (every upgrade then recreates).',
      subject ? asRef(subject) : undefined,
    );
  }
  const kind = missingKind(message);
  if (kind) {
    const isFlux = /toolkit\.fluxcd\.io/.test(kind.apiVersion);
    return verdict(
      'api-status',
      isFlux ? 'FLUX_NOT_INSTALLED' : 'RESOURCE_NOT_FOUND',
      `The cluster does not serve kind ${kind.kind} in ${kind.apiVersion}: its CustomResourceDefinition is not installed.`,
      isFlux
        ? 'Install Flux (flux install) so its CRDs are registered.'
        : `Install the CRD of ${kind.kind} before this object (e.g. a Kustomization it dependsOn), or remove the manifest.`,
      { kind: 'CustomResourceDefinition', name: kind.kind },
    );
  }
  switch (status) {
    case 'Forbidden': {
      const account = impersonatedAccount(message);
      return verdict(
        'api-status',
        'INSUFFICIENT_PERMISSIONS',
        `The API server denied the apply (Forbidden)${
          account
            ? ` to ServiceAccount ${account.namespace}/${account.name}, which the controller impersonates`
            : ''
        }.`,
        account
          ? `Grant ServiceAccount ${account.namespace}/${account.name} the verbs in the message, e.g. kubectl -n ${account.namespace} create rolebinding ${account.name}-admin --clusterrole=admin --serviceaccount=${account.namespace}:${account.name}.`
          : 'Grant the controller (or spec.serviceAccountName) the RBAC verbs named in the message.',
        account
          ? { ...account, field: 'spec.serviceAccountName' }
          : subject && asRef(subject),
      );
    }
    case 'AlreadyExists':
    case 'Conflict':
      return verdict(
        'api-status',
        'CONFLICT',
        `${
          subject ? `${subject.kind} ${subject.name}` : 'An object'
        } already exists and is owned by someone else (${status}).`,
        object.kind === 'HelmRelease'
          ? 'Delete the existing object, or adopt it into the release by adding the labels app.kubernetes.io/managed-by=Helm and annotations meta.helm.sh/release-name/-namespace to it.'
          : 'Delete the old object or remove it from whoever else manages it, then reconcile.',
        subject ? asRef(subject) : undefined,
      );
    case 'Invalid':
    case 'BadRequest':
      return verdict(
        'api-status',
        'YAML_INVALID',
        `The API server rejected ${
          subject ? `${subject.kind} ${subject.name}` : 'a manifest'
        } as invalid.`,
        'Fix the field the message names in the manifest (kubectl apply --dry-run=server -f <file> shows the same error).',
        subject ? asRef(subject) : undefined,
      );
    case 'NotFound': {
      const missing = notFoundInMessage(message)[0] ?? subject;
      return verdict(
        'api-status',
        'RESOURCE_NOT_FOUND',
        `${
          missing
            ? `${missing.kind} ${missing.name}`
            : 'An object the apply needs'
        } does not exist.`,
        missing?.kind === 'Namespace'
          ? `Create namespace ${missing.name} (or add it to the manifests before what goes in it), or set spec.targetNamespace.`
          : 'Create the missing object or correct the name.',
        missing ? asRef(missing) : undefined,
      );
    }
    default:
      return undefined;
  }
}

/** The test hook of the latest release that did not succeed. */
function failedTestHook(object: FluxResource): [string, string] | undefined {
  const hooks = (object.status?.history?.[0] as any)?.testHooks as
    | Record<string, { phase?: string }>
    | undefined;
  const failed = Object.entries(hooks ?? {}).find(
    ([, hook]) => hook?.phase !== 'Succeeded',
  );
  // Keys are <namespace>/<name> in helm-controller v1.
  return failed ? ['', failed[0].split('/').pop()!] : undefined;
}

function byReason(object: FluxResource, reason: string, message: string) {
  switch (reason) {
    case 'HealthCheckFailed':
    case 'HealthCheckCanceled': {
      const workload = workloadsInHealthMessage(message)[0];
      return verdict(
        'structure',
        'HEALTH_CHECK_FAILED',
        `${
          workload
            ? `${workload.kind} ${workload.namespace}/${workload.name}`
            : 'The applied workloads'
        } did not become healthy within spec.timeout.`,
        'Look at the failing workload (kubectl describe, pods, events); fix the image or configuration, or raise spec.timeout.',
        workload ? asRef(workload) : undefined,
      );
    }
    case 'TestFailed': {
      const pod = /pod ([\w.-]+)/.exec(message) ?? failedTestHook(object);
      return verdict(
        'structure',
        'HEALTH_CHECK_FAILED',
        `The Helm tests of the release failed${
          pod ? ` (test pod ${pod[1]})` : ''
        }.`,
        `Read the test pod's logs (kubectl -n ${
          object.metadata.namespace
        } logs ${
          pod?.[1] ?? '<test pod>'
        }); fix the release or the test, or set spec.test.ignoreFailures.`,
        pod ? { kind: 'Pod', name: pod[1] } : undefined,
      );
    }
    case 'AccessDenied':
      return verdict(
        'structure',
        'INSUFFICIENT_PERMISSIONS',
        'Flux refused the reference: cross-namespace references or this service account are not allowed by the controller flags.',
        'Keep references in the object’s namespace (--no-cross-namespace-refs) or grant the access the message names.',
      );
    default:
      return undefined;
  }
}

function bySource(object: FluxResource, reason: string, message: string) {
  if (!SOURCE_KINDS.has(object.kind)) {
    return undefined;
  }
  const isGit = object.kind === 'GitRepository';
  const timeout = object.spec?.timeout as string | undefined;
  if (TIMEOUT_TEXT.test(message) && timeout) {
    return verdict(
      'structure',
      'TIMEOUT',
      `Fetching the source did not finish within spec.timeout (${timeout}).`,
      `Raise spec.timeout of the ${object.kind} (default 60s), or check why the host is slow.`,
      { kind: 'spec.timeout', name: timeout, field: 'spec.timeout' },
    );
  }
  if (
    reason === 'AuthenticationFailed' ||
    /authentication required|authorization failed|\b401\b|\b403\b|unauthorized|invalid credentials|could not read Username|access denied|ssh: unable to authenticate/i.test(
      message,
    )
  ) {
    return verdict(
      'structure',
      isGit ? 'GIT_AUTH_FAILED' : 'SOURCE_AUTH_FAILED',
      `The ${isGit ? 'Git server' : 'server'} refused the credentials${
        secretOf(object)
          ? ` in Secret ${secretOf(object)!.name}`
          : ' (spec.secretRef is not set)'
      }.`,
      secretOf(object)
        ? `Put valid credentials into Secret ${secretOf(object)!.name} (${
            isGit
              ? 'username/password or bearerToken'
              : 'the keys the provider needs'
          }), then reconcile the source.`
        : 'Create a Secret with the credentials and set spec.secretRef.',
      secretOf(object),
    );
  }
  if (
    isGit &&
    /couldn't find remote ref|reference not found|no match found for|no tags found|unable to resolve|object not found|not found in/i.test(
      message,
    )
  ) {
    const ref = gitRef(object);
    return verdict(
      'structure',
      'RESOURCE_NOT_FOUND',
      `The repository has no ${ref ? `${ref.kind} ${ref.name}` : 'such ref'}.`,
      `Push the ${ref?.kind ?? 'ref'} or correct ${ref?.field ?? 'spec.ref'}.`,
      ref,
    );
  }
  if (
    object.kind === 'HelmChart' &&
    /no such file|not found|does not exist/i.test(message)
  ) {
    const chart = (object.spec?.chart as string) ?? '';
    const fromGit = chart.startsWith('.') || chart.includes('/');
    return verdict(
      'structure',
      'RESOURCE_NOT_FOUND',
      fromGit
        ? `The source has no chart at path ${chart}.`
        : `The Helm repository has no chart ${chart}${
            object.spec?.version ? ` in version ${object.spec.version}` : ''
          }.`,
      'Correct spec.chart (and spec.version) of the HelmChart or HelmRelease.',
      { kind: fromGit ? 'path' : 'chart', name: chart, field: 'spec.chart' },
    );
  }
  if (
    object.kind === 'HelmChart' &&
    /chart\.metadata|Chart\.yaml|invalid chart|validation/i.test(message)
  ) {
    return verdict(
      'structure',
      'YAML_INVALID',
      'The chart does not load: its Chart.yaml or templates are invalid.',
      'Run `helm lint` on the chart and fix what it reports.',
    );
  }
  if (
    object.kind === 'OCIRepository' &&
    /MANIFEST_UNKNOWN|NAME_UNKNOWN|manifest unknown|not found/i.test(message)
  ) {
    const ref = (object.spec?.ref ?? {}) as Record<string, string>;
    const kind = ['digest', 'semver', 'tag'].find(k => ref[k]) ?? 'tag';
    return verdict(
      'structure',
      'RESOURCE_NOT_FOUND',
      `The registry has no artifact ${object.spec?.url} at ${kind} ${
        ref[kind] ?? 'latest'
      }.`,
      'Push the artifact (flux push artifact) or correct spec.url and spec.ref.',
      { kind, name: ref[kind] ?? 'latest', field: `spec.ref.${kind}` },
    );
  }
  if (
    isGit &&
    (/repository not found|not found|unable to access|\b404\b/i.test(message) ||
      UNREACHABLE_TEXT.test(message) ||
      ['GitOperationFailed', 'URLInvalid'].includes(reason))
  ) {
    return verdict(
      'structure',
      'GIT_CLONE_FAILED',
      'source-controller could not clone the repository: wrong URL, unreachable host or TLS failure.',
      `Check spec.url (${
        object.spec?.url ?? ''
      }) and that the Git host is reachable from source-controller.`,
    );
  }
  if (
    !isGit &&
    (UNREACHABLE_TEXT.test(message) ||
      /\b404\b|failed to fetch|failed to get|fetch failed|index/i.test(message))
  ) {
    return verdict(
      'structure',
      'SOURCE_FETCH_FAILED',
      `source-controller could not fetch ${
        object.spec?.url ?? object.spec?.endpoint ?? 'the source'
      }: wrong URL or unreachable host.`,
      `Check spec.url/spec.endpoint of the ${object.kind} and that the host is reachable from source-controller.`,
    );
  }
  return undefined;
}

function byWorkflow(object: FluxResource, reason: string, message: string) {
  if (object.kind === 'Kustomization') {
    const path = /kustomization path not found|no such file or directory/i.test(
      message,
    )
      ? (object.spec?.path as string | undefined)
      : undefined;
    if (path) {
      return verdict(
        'structure',
        'RESOURCE_NOT_FOUND',
        `The source has no directory ${path} (spec.path).`,
        'Correct spec.path, or push the directory to the repository.',
        { kind: 'path', name: path, field: 'spec.path' },
      );
    }
    if (reason === 'BuildFailed') {
      return verdict(
        'structure',
        'YAML_INVALID',
        'The manifests at the Kustomization path do not build.',
        'Run `kustomize build` on the path locally and fix the reported file.',
      );
    }
  }
  if (
    ['InstallFailed', 'UpgradeFailed', 'RollbackFailed'].includes(reason) &&
    /execution error|template:|parse error|YAML parse error|error converting YAML|unable to build kubernetes objects/i.test(
      message,
    )
  ) {
    return verdict(
      'structure',
      'YAML_INVALID',
      'The chart does not render with these values.',
      'Run `helm template` with the same values and fix the values or the chart.',
    );
  }
  if (TIMEOUT_TEXT.test(message)) {
    return verdict(
      object.kind === 'HelmRelease' ? 'structure' : 'message',
      'TIMEOUT',
      object.kind === 'HelmRelease'
        ? `Helm ${
            /upgrade/i.test(reason + message) ? 'upgrade' : 'install'
          } did not finish within spec.timeout (${
            object.spec?.timeout ?? '5m'
          }): the release's workloads did not become ready in time.`
        : 'The reconciliation did not finish in time.',
      'Look at the release’s pods and events (readiness probes, images, scheduling); raise spec.timeout if the workload is just slow.',
    );
  }
  if (
    reason === 'ArtifactFailed' &&
    /failed to download|artifact/i.test(message)
  ) {
    return verdict(
      'structure',
      'ARTIFACT_UNREACHABLE',
      'The controller could not download the source artifact from source-controller (port 9090 blocked by a NetworkPolicy, or the artifact server briefly down).',
      "Allow traffic from the Flux controllers to source-controller's pods on port 9090, then reconcile.",
    );
  }
  return undefined;
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
