import dns from 'node:dns/promises';
import {
  FluxResource,
  HealthFinding,
} from '@gitops-backstage/plugin-gitops-common';
import { ClusterClient } from '../../cluster/ClusterClient';
import { evaluateFlow, Flow, PolicyPod } from '../networkPolicy';
import { CheckOutcome } from './types';
import { outcome } from './outcome';

const DNS_POD: PolicyPod = {
  namespace: 'kube-system',
  namespaceLabels: { 'kubernetes.io/metadata.name': 'kube-system' },
  labels: { 'k8s-app': 'kube-dns' },
  ports: [
    { name: 'dns', containerPort: 53, protocol: 'UDP' },
    { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
  ],
};

/**
 * Whether the Flux controllers can reach what they need under the
 * NetworkPolicies of the Flux namespace: the artifact port of
 * source-controller, DNS, and the Git hosts.
 */
export async function networkCheck(
  cluster: string,
  client: ClusterClient,
  fluxNamespace: string,
  gitRepositories: FluxResource[],
): Promise<CheckOutcome> {
  const [policies, deployments, namespace] = await Promise.all([
    client.listNetworkPolicies(fluxNamespace),
    client.listDeployments(fluxNamespace),
    client.readNamespace(fluxNamespace),
  ]);
  const namespaceLabels = namespace.metadata?.labels ?? {
    'kubernetes.io/metadata.name': fluxNamespace,
  };
  const pod = (name: string): PolicyPod | undefined => {
    const d = deployments.find(x => x.metadata?.name === name);
    if (!d) return undefined;
    return {
      namespace: fluxNamespace,
      namespaceLabels,
      labels: d.spec?.template.metadata?.labels ?? { app: name },
      ports: (d.spec?.template.spec?.containers ?? []).flatMap(c =>
        (c.ports ?? []).map(p => ({
          name: p.name,
          containerPort: p.containerPort,
          protocol: p.protocol,
        })),
      ),
    };
  };
  const source = pod('source-controller');
  const flows: Array<Flow & { label: string }> = [];
  for (const controller of ['kustomize-controller', 'helm-controller']) {
    const from = pod(controller);
    if (!from) continue;
    if (source) {
      flows.push({
        label: `${controller} → source-controller:9090 (artifacts)`,
        from,
        to: source,
        port: 9090,
        protocol: 'TCP',
      });
    }
    flows.push({
      label: `${controller} → DNS:53/UDP`,
      from,
      to: DNS_POD,
      port: 53,
      protocol: 'UDP',
    });
  }
  if (source) {
    flows.push({
      label: 'source-controller → DNS:53/UDP',
      from: source,
      to: DNS_POD,
      port: 53,
      protocol: 'UDP',
    });
    for (const target of await gitTargets(gitRepositories)) {
      flows.push({
        label: `source-controller → Git ${target.label}`,
        from: source,
        to: { ip: target.ip },
        port: target.port,
        protocol: 'TCP',
      });
    }
  }

  const findings: HealthFinding[] = [];
  for (const flow of flows) {
    const verdict = evaluateFlow(policies, flow);
    if (verdict.allowed) continue;
    findings.push({
      code: 'NETWORK_POLICY_BLOCKED',
      severity: 'critical',
      check: 'network',
      cluster,
      object: {
        kind: 'NetworkPolicy',
        namespace: fluxNamespace,
        name: verdict.blockedBy[0],
      },
      evidence: `${flow.label} is blocked on the ${
        verdict.side
      } side: NetworkPolicy ${verdict.blockedBy
        .map(n => `${fluxNamespace}/${n}`)
        .join(', ')} select${verdict.blockedBy.length === 1 ? 's' : ''} the ${
        verdict.side === 'egress' ? 'client' : 'server'
      } pod and no rule allows ${flow.protocol} ${flow.port}`,
      cause: flowCause(flow.port),
      fix: [
        `kubectl -n ${fluxNamespace} get networkpolicy ${verdict.blockedBy.join(
          ' ',
        )} -o yaml`,
        `kubectl apply -f - <<'EOF'\n${allowPolicy(
          fluxNamespace,
          flow,
          verdict.side,
        )}EOF`,
      ],
    });
  }
  return outcome(
    findings,
    `${policies.length} NetworkPolicies in ${fluxNamespace}; ${flows.length} required flows allowed`,
  );
}

function flowCause(port: number): string {
  if (port === 9090) {
    return 'kustomize-controller and helm-controller download every source artifact from source-controller on pod port 9090; blocked, Kustomizations stay Reconciling and then fail with "failed to download archive".';
  }
  if (port === 53) {
    return 'The controllers cannot resolve names, so they reach neither source-controller’s Service nor Git hosts.';
  }
  return 'source-controller cannot reach the Git host, so no new revision is fetched.';
}

function allowPolicy(
  namespace: string,
  flow: Flow,
  side: 'egress' | 'ingress' | undefined,
): string {
  const from = (flow.from.labels.app ?? 'flux') as string;
  if (flow.port === 9090 && side === 'ingress') {
    return `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-flux-artifacts-ingress
  namespace: ${namespace}
spec:
  podSelector:
    matchLabels: {app: source-controller}
  policyTypes: [Ingress]
  ingress:
  - from:
    - podSelector:
        matchExpressions:
        - {key: app, operator: In, values: [kustomize-controller, helm-controller]}
    ports:
    - {protocol: TCP, port: 9090}
`;
  }
  if (flow.port === 9090) {
    return `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-flux-artifacts-egress
  namespace: ${namespace}
spec:
  podSelector:
    matchExpressions:
    - {key: app, operator: In, values: [kustomize-controller, helm-controller]}
  policyTypes: [Egress]
  egress:
  - to:
    - podSelector:
        matchLabels: {app: source-controller}
    ports:
    - {protocol: TCP, port: 9090}
`;
  }
  if (flow.port === 53) {
    return `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-flux-dns
  namespace: ${namespace}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to:
    - namespaceSelector: {}
      podSelector:
        matchLabels: {k8s-app: kube-dns}
    ports:
    - {protocol: UDP, port: 53}
    - {protocol: TCP, port: 53}
`;
  }
  return `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-${from}-git
  namespace: ${namespace}
spec:
  podSelector:
    matchLabels: {app: ${from}}
  policyTypes: [Egress]
  egress:
  - ports:
    - {protocol: TCP, port: ${flow.port}}
`;
}

async function gitTargets(
  repositories: FluxResource[],
): Promise<Array<{ label: string; ip?: string; port: number }>> {
  const targets = new Map<
    string,
    { label: string; host: string; port: number }
  >();
  const add = (host: string, port: number) =>
    targets.set(`${host}:${port}`, { label: `${host}:${port}`, host, port });
  for (const repo of repositories) {
    const url = repo.spec?.url;
    if (!url) continue;
    try {
      const parsed = new URL(
        url.replace(/^([^@/:]+@[^:/]+):(?!\d)/, 'ssh://$1/'),
      );
      const defaults: Record<string, number> = {
        'https:': 443,
        'http:': 80,
        'ssh:': 22,
      };
      add(
        parsed.hostname,
        parsed.port ? Number(parsed.port) : defaults[parsed.protocol] ?? 443,
      );
    } catch {
      // An unparsable URL is the Git check's finding, not this one's.
    }
  }
  if (targets.size === 0) {
    // No repositories yet: the ports any Git host uses.
    targets.set('any:443', { label: 'any host:443', host: '', port: 443 });
    targets.set('any:22', { label: 'any host:22', host: '', port: 22 });
  }
  return Promise.all(
    [...targets.values()].map(async t => ({
      label: t.label,
      port: t.port,
      ip: t.host
        ? await dns.lookup(t.host).then(
            r => r.address,
            () => undefined,
          )
        : undefined,
    })),
  );
}
