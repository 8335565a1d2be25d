import { V1Deployment } from '@kubernetes/client-node';
import {
  conditionOfType,
  FLUX_KINDS,
  HealthFinding,
} from '@gitops-backstage/plugin-gitops-common';
import { describeKubernetesError } from '@gitops-backstage/plugin-gitops-node';
import { ClusterClient } from '../../cluster/ClusterClient';
import { lockdownFindings } from './fluxLockdown';
import { CheckOutcome } from './types';
import { outcome } from './outcome';

/** The Flux CRDs the portal needs; notification CRDs are optional. */
export const REQUIRED_FLUX_CRDS = FLUX_KINDS.map(k => `${k.plural}.${k.group}`);

/** The controllers the portal needs running. */
export const FLUX_CONTROLLERS = [
  'source-controller',
  'kustomize-controller',
  'helm-controller',
  'notification-controller',
];

export async function apiCheck(
  cluster: string,
  client: ClusterClient,
): Promise<CheckOutcome & { reachable: boolean }> {
  try {
    const version = await client.version();
    return {
      reachable: true,
      status: 'passed',
      summary: `reachable, Kubernetes ${version.gitVersion}`,
      findings: [],
    };
  } catch (error) {
    const description = describeKubernetesError(error);
    return {
      reachable: false,
      ...outcome(
        [
          {
            code: 'CLUSTER_UNREACHABLE',
            severity: 'critical',
            check: 'api',
            cluster,
            evidence: `GET /version: ${description}`,
            cause:
              'The backend cannot reach the Kubernetes API: wrong URL, network, TLS or an expired token.',
            fix: [
              `kubectl --server <url of cluster ${cluster}> get --raw /version`,
              '# check url, caData and serviceAccountToken of this cluster in the kubernetes config block',
            ],
          },
        ],
        '',
        description,
      ),
    };
  }
}

export async function fluxCheck(
  cluster: string,
  client: ClusterClient,
  fluxNamespace: string,
  /** Warn when a controller runs without Flux's multi-tenancy lockdown. */
  expectLockdown = true,
): Promise<CheckOutcome & { versions: Record<string, string> }> {
  const findings: HealthFinding[] = [];
  const versions: Record<string, string> = {};
  const crds = await client.listCustomResourceDefinitions();
  const present = new Map(crds.map(c => [c.metadata?.name ?? '', c]));
  const missing = REQUIRED_FLUX_CRDS.filter(name => !present.has(name));
  const crdSummaries: string[] = [];
  for (const name of REQUIRED_FLUX_CRDS) {
    const crd = present.get(name);
    if (!crd) continue;
    const served = crd.spec.versions.filter(v => v.served).map(v => v.name);
    const stored = crd.status?.storedVersions ?? [];
    crdSummaries.push(
      `${name} served ${served.join(',')} stored ${stored.join(',')}`,
    );
    const kind = FLUX_KINDS.find(k => `${k.plural}.${k.group}` === name)!;
    if (!served.some(v => kind.versions.includes(v))) {
      findings.push({
        code: 'CRD_VERSION_UNSUPPORTED',
        severity: 'error',
        check: 'flux',
        cluster,
        object: { kind: 'CustomResourceDefinition', name },
        evidence: `served versions ${served.join(
          ', ',
        )}; the portal reads ${kind.versions.join(', ')}`,
        cause:
          'This Flux release serves API versions the portal does not read.',
        fix: ['flux install  # upgrade Flux to a release serving the v1 APIs'],
      });
    }
  }
  if (missing.length > 0) {
    findings.push({
      code: 'FLUX_NOT_INSTALLED',
      severity: 'critical',
      check: 'flux',
      cluster,
      object: { kind: 'CustomResourceDefinition', name: missing[0] },
      evidence: `missing CustomResourceDefinitions: ${missing.join(', ')}`,
      cause:
        missing.length === REQUIRED_FLUX_CRDS.length
          ? 'Flux is not installed in this cluster.'
          : 'Flux is installed incompletely: some of its CRDs are missing, so its controllers cannot watch those kinds.',
      fix: [
        `flux install --namespace=${fluxNamespace}`,
        `# or apply the CRDs of your Flux release: kubectl apply -f <release>/install.yaml`,
      ],
    });
  }

  let deployments: V1Deployment[] = [];
  try {
    deployments = await client.listDeployments(fluxNamespace);
  } catch (error) {
    findings.push({
      code: 'INSUFFICIENT_PERMISSIONS',
      severity: 'error',
      check: 'flux',
      cluster,
      evidence: `list Deployments in ${fluxNamespace}: ${describeKubernetesError(
        error,
      )}`,
      cause: 'The backend may not read the Flux controllers’ Deployments.',
      fix: [`kubectl auth can-i list deployments -n ${fluxNamespace}`],
    });
  }
  for (const name of FLUX_CONTROLLERS) {
    const deployment = deployments.find(d => d.metadata?.name === name);
    const image = deployment?.spec?.template.spec?.containers[0]?.image;
    const version =
      deployment?.metadata?.labels?.['app.kubernetes.io/version'] ??
      image?.split(':').pop();
    if (deployment && version) {
      versions[name] = image?.split(':').pop() ?? version;
    }
    if (!deployment) {
      if (deployments.length > 0 || missing.length === 0) {
        findings.push({
          code:
            name === 'notification-controller'
              ? 'CONTROLLER_UNHEALTHY'
              : 'FLUX_NOT_INSTALLED',
          severity: name === 'notification-controller' ? 'warning' : 'critical',
          check: 'flux',
          cluster,
          object: { kind: 'Deployment', namespace: fluxNamespace, name },
          evidence: `Deployment ${fluxNamespace}/${name} does not exist`,
          cause: `${name} is not installed, so nothing reconciles its kinds.`,
          fix: [
            `flux install --namespace=${fluxNamespace} --components=${name}`,
          ],
        });
      }
      continue;
    }
    const available = conditionOfType(deployment, 'Available');
    const ready = deployment.status?.readyReplicas ?? 0;
    const wanted = deployment.spec?.replicas ?? 1;
    if (available?.status !== 'True' || ready < wanted) {
      findings.push({
        code: 'CONTROLLER_UNHEALTHY',
        severity: 'critical',
        check: 'flux',
        cluster,
        object: { kind: 'Deployment', namespace: fluxNamespace, name },
        evidence: `Deployment ${fluxNamespace}/${name}: Available=${
          available?.status ?? 'Unknown'
        }${
          available?.reason ? ` (${available.reason})` : ''
        }, ready ${ready}/${wanted}${
          available?.message ? `: ${available.message}` : ''
        }`,
        cause: `${name} is not running, so the objects it reconciles are not updated.`,
        fix: [
          `kubectl -n ${fluxNamespace} get pods -l app=${name}`,
          `kubectl -n ${fluxNamespace} describe deployment ${name}`,
          `kubectl -n ${fluxNamespace} logs deploy/${name} --tail=100`,
          `kubectl -n ${fluxNamespace} rollout restart deployment ${name}`,
        ],
        repair: {
          type: 'restart-controller',
          title: `Restart ${name} (rollout restart)`,
          target: { kind: 'Deployment', namespace: fluxNamespace, name },
        },
      });
    }
  }
  if (expectLockdown) {
    findings.push(...lockdownFindings(cluster, fluxNamespace, deployments));
  }
  const controllers = Object.entries(versions)
    .map(([n, v]) => `${n} ${v}`)
    .join(', ');
  return {
    versions,
    ...outcome(
      findings,
      `${REQUIRED_FLUX_CRDS.length} CRDs present; ${controllers}`,
      findings.map(f => f.evidence).join('; '),
    ),
    ...(findings.length === 0
      ? {
          summary: `CRDs: ${crdSummaries.length}/${REQUIRED_FLUX_CRDS.length}; controllers available: ${controllers}`,
        }
      : {}),
  };
}

/** A verb the backend needs, and why. */
export interface RequiredAccess {
  verb: string;
  group: string;
  resource: string;
  namespace?: string;
  why: string;
  critical?: boolean;
}

export function requiredAccess(fluxNamespace: string): RequiredAccess[] {
  const flux = FLUX_KINDS.flatMap(k => [
    {
      verb: 'list',
      group: k.group,
      resource: k.plural,
      why: 'read Flux state',
      critical: true,
    },
    {
      verb: 'watch',
      group: k.group,
      resource: k.plural,
      why: 'follow Flux state',
      critical: true,
    },
    {
      verb: 'patch',
      group: k.group,
      resource: k.plural,
      why: 'reconcile, suspend and resume',
    },
  ]);
  return [
    ...flux,
    {
      verb: 'list',
      group: '',
      resource: 'events',
      why: 'show events of Flux objects',
    },
    {
      verb: 'list',
      group: 'apps',
      resource: 'deployments',
      why: 'workload and controller health',
    },
    {
      verb: 'watch',
      group: 'apps',
      resource: 'deployments',
      why: 'workload health',
    },
    {
      verb: 'patch',
      group: 'apps',
      resource: 'deployments',
      namespace: fluxNamespace,
      why: 'restart a Flux controller (repair)',
    },
    {
      verb: 'get',
      group: '',
      resource: 'secrets',
      why: 'check Git credentials',
    },
    {
      verb: 'patch',
      group: '',
      resource: 'secrets',
      why: 'refresh Git credentials (repair)',
    },
    {
      verb: 'list',
      group: 'networking.k8s.io',
      resource: 'networkpolicies',
      namespace: fluxNamespace,
      why: 'network policy analysis',
    },
    {
      verb: 'list',
      group: 'apiextensions.k8s.io',
      resource: 'customresourcedefinitions',
      why: 'check the Flux installation',
    },
    {
      verb: 'delete',
      group: 'kustomize.toolkit.fluxcd.io',
      resource: 'kustomizations',
      why: 'remove zombie resources (repair)',
    },
  ];
}

export async function permissionsCheck(
  cluster: string,
  client: ClusterClient,
  fluxNamespace: string,
): Promise<CheckOutcome> {
  const access = requiredAccess(fluxNamespace);
  const answers = await Promise.all(
    access.map(async a => ({
      ...a,
      allowed: await client.canI({
        verb: a.verb,
        group: a.group,
        resource: a.resource,
        namespace: a.namespace,
      }),
    })),
  );
  const denied = answers.filter(a => !a.allowed);
  if (denied.length === 0) {
    return outcome([], `all ${access.length} required permissions granted`);
  }
  let user = 'the backend’s service account';
  try {
    user = (await client.whoAmI()) ?? user;
  } catch {
    // Older clusters lack SelfSubjectReview; the fix then names no user.
  }
  const serviceAccount = /^system:serviceaccount:([^:]+):(.+)$/.exec(user);
  const rules = groupRules(denied);
  const subject = serviceAccount
    ? `--serviceaccount=${serviceAccount[1]}:${serviceAccount[2]}`
    : `--user=${user}`;
  const finding: HealthFinding = {
    code: 'INSUFFICIENT_PERMISSIONS',
    severity: denied.some(d => d.critical) ? 'critical' : 'error',
    check: 'permissions',
    cluster,
    evidence: `SelfSubjectAccessReview as ${user} denied: ${denied
      .map(
        d =>
          `${d.verb} ${d.group ? `${d.resource}.${d.group}` : d.resource}${
            d.namespace ? ` in ${d.namespace}` : ''
          } (${d.why})`,
      )
      .join('; ')}`,
    cause:
      'The backend’s Kubernetes identity lacks RBAC rules it needs; the features listed in the evidence do not work.',
    fix: [
      `kubectl create clusterrole backstage-gitops ${rules}`,
      `kubectl create clusterrolebinding backstage-gitops --clusterrole=backstage-gitops ${subject}`,
    ],
  };
  return outcome(
    [finding],
    '',
    `${denied.length} of ${access.length} permissions denied`,
  );
}

function groupRules(denied: RequiredAccess[]): string {
  const byResource = new Map<string, Set<string>>();
  for (const d of denied) {
    const key = d.group ? `${d.resource}.${d.group}` : d.resource;
    const verbs = byResource.get(key) ?? new Set<string>();
    verbs.add(d.verb);
    byResource.set(key, verbs);
  }
  const verbs = new Set(denied.map(d => d.verb));
  return `--verb=${[...verbs].join(',')} --resource=${[
    ...byResource.keys(),
  ].join(',')}`;
}
