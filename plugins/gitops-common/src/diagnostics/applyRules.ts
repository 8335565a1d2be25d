/**
 * Rules for the kinds that apply manifests (Kustomization, HelmRelease):
 * the artifact download, build or render, health checks, Helm tests and
 * timeouts, told by the condition's reason and message.
 */
import { FluxResource } from '../status';
import { TIMEOUT_TEXT, workloadsInHealthMessage } from './messages';
import { asRef, verdict } from './verdict';

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

export function byReason(
  object: FluxResource,
  reason: string,
  message: string,
) {
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

export function byWorkflow(
  object: FluxResource,
  reason: string,
  message: string,
) {
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
