import {
  conditionOfType,
  dependsOnCycles,
  diagnoseFluxFailure,
  FailureFacts,
  FluxResource,
  HealthFinding,
  LABEL_KUBERNETES_ID,
  parseDuration,
  syncState,
} from '@gitops-backstage/plugin-gitops-common';
import { objectKey } from './failureFacts';
import { commentLine, kubernetesName } from './shell';
import { CheckOutcome } from './types';
import { describeRef, outcome, refOf } from './outcome';

/**
 * Checks that read only the watched Flux objects: the sync summary with each
 * failing object classified, dependsOn chains, and stale syncs.
 */

const kubectlKind: Record<string, string> = {
  Kustomization: 'kustomization',
  HelmRelease: 'helmrelease',
  GitRepository: 'source git',
  HelmRepository: 'source helm',
  OCIRepository: 'source oci',
  Bucket: 'source bucket',
  HelmChart: 'source chart',
};

function base(
  cluster: string,
  resource: FluxResource,
): Pick<HealthFinding, 'cluster' | 'object' | 'kubernetesId'> {
  return {
    cluster,
    object: refOf(resource),
    kubernetesId: resource.metadata.labels?.[LABEL_KUBERNETES_ID],
  };
}

function fluxCommands(resource: FluxResource, extra: string[] = []): string[] {
  const kind = kubectlKind[resource.kind] ?? resource.kind.toLowerCase();
  const ns = resource.metadata.namespace ?? 'default';
  const name = resource.metadata.name;
  const resourceName = `${resource.kind.toLowerCase()}/${name}`;
  return [
    ...extra,
    `kubectl -n ${ns} describe ${resourceName}`,
    `flux -n ${ns} events --for ${resource.kind}/${name}`,
    `flux -n ${ns} reconcile ${kind} ${name}${
      resource.kind === 'Kustomization' || resource.kind === 'HelmRelease'
        ? ' --with-source'
        : ''
    }`,
  ];
}

export function syncCheck(
  cluster: string,
  objects: FluxResource[],
  /** Per failing object (objectKey): what its references are, from the cluster. */
  facts: Map<string, FailureFacts> = new Map(),
): CheckOutcome & { summary: string; counts: Record<string, number> } {
  const counts: Record<string, number> = {};
  const findings: HealthFinding[] = [];
  for (const resource of objects) {
    const state = syncState(resource);
    counts[state] = (counts[state] ?? 0) + 1;
    if (state !== 'Failed') {
      continue;
    }
    const ready = conditionOfType(resource, 'Ready');
    const stalled = resource.status?.conditions?.find(
      c => c.type === 'Stalled' && c.status === 'True',
    );
    const condition = ready?.status === 'False' ? ready : stalled ?? ready;
    const diagnosis = diagnoseFluxFailure(
      resource,
      facts.get(objectKey(resource)),
    );
    const isGitAuth =
      diagnosis.code === 'GIT_AUTH_FAILED' &&
      resource.kind === 'GitRepository' &&
      resource.spec?.secretRef;
    findings.push({
      ...base(cluster, resource),
      code: diagnosis.code,
      severity: 'error',
      check: 'sync',
      evidence: `${condition?.type ?? 'Ready'}=${
        condition?.status ?? '?'
      } reason ${condition?.reason ?? '-'}: ${(
        condition?.message ?? ''
      ).trim()}`,
      cause:
        diagnosis.basis === 'unrecognised'
          ? [diagnosis.cause, ...diagnosis.details.slice(1)].join(' ')
          : diagnosis.cause,
      fix: [commentLine(diagnosis.fix), ...fluxCommands(resource)],
      reference: diagnosis.reference,
      basis: diagnosis.basis,
      repair: repairFor(resource, isGitAuth),
    });
  }
  const summary = Object.entries(counts)
    .map(([state, n]) => `${n} ${state}`)
    .join(', ');
  return {
    ...outcome(findings, summary || 'no Flux objects', summary),
    counts,
  };
}

function dependencyKey(kind: string, namespace: string, name: string) {
  return `${kind}/${namespace}/${name}`;
}

export function dependencyCheck(
  cluster: string,
  objects: FluxResource[],
): CheckOutcome {
  const findings: HealthFinding[] = [];
  const byKey = new Map<string, FluxResource>();
  for (const o of objects) {
    byKey.set(
      dependencyKey(o.kind, o.metadata.namespace ?? '', o.metadata.name),
      o,
    );
  }
  const dependsOn = (o: FluxResource) =>
    (o.spec?.dependsOn ?? []).map(d => ({
      kind: o.kind,
      namespace: d.namespace ?? o.metadata.namespace ?? '',
      name: d.name,
    }));

  for (const o of objects) {
    // A suspended object waits for nothing.
    if (o.spec?.suspend) {
      continue;
    }
    for (const dep of dependsOn(o)) {
      const target = byKey.get(
        dependencyKey(dep.kind, dep.namespace, dep.name),
      );
      if (!target) {
        findings.push({
          ...base(cluster, o),
          code: 'DEPENDENCY_MISSING',
          severity: 'error',
          check: 'dependencies',
          evidence: `spec.dependsOn names ${describeRef(
            dep,
          )}, which does not exist in cluster ${cluster}`,
          cause: `${describeRef(refOf(o))} waits for a ${
            dep.kind
          } that does not exist, so it never reconciles.`,
          fix: [
            // Only names Kubernetes accepts: `--server=…` is no name.
            ...(kubernetesName(dep.namespace) && kubernetesName(dep.name)
              ? [
                  `kubectl -n ${dep.namespace} get ${dep.kind.toLowerCase()}/${
                    dep.name
                  }`,
                ]
              : []),
            commentLine(
              `create ${describeRef(
                dep,
              )}, or remove it from spec.dependsOn of ${describeRef(refOf(o))}`,
            ),
          ],
        });
        continue;
      }
      const state = syncState(target);
      if (state !== 'Ready') {
        const ready = conditionOfType(target, 'Ready');
        findings.push({
          ...base(cluster, o),
          code: 'DEPENDENCY_NOT_READY',
          severity: 'warning',
          check: 'dependencies',
          evidence: `dependency ${describeRef(refOf(target))} is ${state}${
            ready?.message ? `: ${ready.message.trim()}` : ''
          }`,
          cause: `${describeRef(
            refOf(o),
          )} waits until its dependency is Ready.`,
          fix: fluxCommands(target),
        });
      }
    }
  }

  // Cycles: the same as the dependency graphs of the tab and the page draw.
  const waitsFor = [...byKey.entries()].flatMap(([key, resource]) =>
    dependsOn(resource).map(dep => ({
      from: key,
      to: dependencyKey(dep.kind, dep.namespace, dep.name),
    })),
  );
  for (const cycle of dependsOnCycles([...byKey.keys()], waitsFor)) {
    findings.push({
      ...base(cluster, byKey.get(cycle[0])!),
      code: 'DEPENDENCY_CYCLE',
      severity: 'error',
      check: 'dependencies',
      evidence: `dependsOn cycle: ${[...cycle, cycle[0]].join(' → ')}`,
      cause: 'Objects that depend on each other wait for each other forever.',
      fix: [`# remove one edge of the cycle from spec.dependsOn`],
    });
  }
  return outcome(findings, 'every dependsOn chain is complete and acyclic');
}

export interface StalenessOptions {
  /** An object is stale past this many intervals without a reconcile. */
  intervalMultiple: number;
  /** ...and never before this (the seed's 10 minutes). */
  minimumMs: number;
}

export function stalenessCheck(
  cluster: string,
  objects: FluxResource[],
  now: Date,
  options: StalenessOptions,
): CheckOutcome {
  const findings: HealthFinding[] = [];
  for (const o of objects) {
    if (o.kind !== 'Kustomization' || syncState(o) !== 'Ready') {
      continue;
    }
    const last = (o.status as any)?.history?.[0]?.lastReconciled as
      | string
      | undefined;
    const interval = parseDuration(o.spec?.interval);
    if (!last || !interval) {
      continue;
    }
    const limit = Math.max(
      options.minimumMs,
      interval * options.intervalMultiple,
    );
    const age = now.getTime() - Date.parse(last);
    if (age > limit) {
      findings.push({
        ...base(cluster, o),
        code: 'STALE_SYNC',
        severity: 'warning',
        check: 'staleness',
        evidence: `Ready=True but last reconciled ${last} (${Math.round(
          age / 60_000,
        )} min ago) with interval ${o.spec?.interval}`,
        cause:
          'Flux has not reconciled this object for longer than its interval allows: kustomize-controller may be stuck, overloaded or not running.',
        fix: [
          `kubectl -n flux-system get deploy kustomize-controller`,
          `kubectl -n flux-system logs deploy/kustomize-controller --tail=100`,
          ...fluxCommands(o).slice(-1),
        ],
        repair: {
          type: 'resync',
          title: 'Reconcile again (with its source)',
          target: refOf(o),
        },
      });
    }
  }
  return outcome(findings, 'every Ready Kustomization reconciled on time');
}

/** Objects the portal created whose catalog entity is gone. */
export function zombieFindings(
  cluster: string,
  zombies: Array<{ resource: FluxResource; entityRef: string }>,
): HealthFinding[] {
  return zombies.map(({ resource, entityRef }) => ({
    ...base(cluster, resource),
    code: 'ZOMBIE_RESOURCE',
    severity: 'warning',
    check: 'sync',
    evidence: `created by the portal for ${entityRef} (annotation gitops.backstage.io/entity-ref), which is not in the catalog`,
    cause:
      'The entity was removed from the catalog but its Flux objects still run: nobody sees or owns them in the portal.',
    fix: [
      `kubectl -n ${
        resource.metadata.namespace
      } delete ${resource.kind.toLowerCase()} ${resource.metadata.name}`,
    ],
    repair: {
      type: 'remove-zombies',
      title:
        'Remove every Flux object whose entity is gone (shows the list first)',
    },
  }));
}

/**
 * A failing source that cannot authenticate gets a new read-only deploy key
 * when it pulls over SSH; the portal never copies its own integration
 * credential, so an HTTP source gets no repair. Anything else: reconcile.
 */
function repairFor(
  resource: FluxResource,
  isGitAuth: unknown,
): HealthFinding['repair'] {
  if (!isGitAuth) {
    return {
      type: 'resync',
      title: 'Reconcile again (with its source)',
      target: refOf(resource),
    };
  }
  return /^ssh:\/\//.test(String(resource.spec?.url))
    ? {
        type: 'refresh-git-credentials',
        title: 'Issue a new read-only deploy key',
        target: refOf(resource),
      }
    : undefined;
}
