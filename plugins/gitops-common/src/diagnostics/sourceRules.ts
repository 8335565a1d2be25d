/**
 * Rules for the source kinds (GitRepository, OCIRepository, HelmRepository,
 * HelmChart, Bucket): fetching, credentials, refs and charts.
 */
import { FluxResource } from '../status';
import { DiagnosisReference } from './diagnosis';
import { SOURCE_KINDS } from './fluxControllers';
import { TIMEOUT_TEXT, UNREACHABLE_TEXT } from './messages';
import { verdict } from './verdict';

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

export function bySource(
  object: FluxResource,
  reason: string,
  message: string,
) {
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
