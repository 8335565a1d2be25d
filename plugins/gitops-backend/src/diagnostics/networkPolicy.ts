import { V1LabelSelector, V1NetworkPolicy } from '@kubernetes/client-node';

/** A pod as the policies see it: where it runs, its labels, its ports. */
export interface PolicyPod {
  namespace: string;
  namespaceLabels: Record<string, string>;
  labels: Record<string, string>;
  ports?: { name?: string; containerPort: number; protocol?: string }[];
}

/** A destination outside the cluster, known by address if resolved. */
export interface ExternalHost {
  ip?: string;
}

export interface Flow {
  from: PolicyPod;
  to: PolicyPod | ExternalHost;
  port: number;
  protocol: 'TCP' | 'UDP';
}

export interface FlowVerdict {
  allowed: boolean;
  /** The policies that isolate the side that blocks, when blocked. */
  blockedBy: string[];
  side?: 'egress' | 'ingress';
}

/**
 * Evaluates a flow against NetworkPolicies with Kubernetes' semantics: a pod
 * selected by a policy of a direction is isolated in that direction and
 * only what some rule allows passes; policies add up.
 */
export function evaluateFlow(
  policies: V1NetworkPolicy[],
  flow: Flow,
): FlowVerdict {
  const egress = policies.filter(
    p =>
      p.metadata?.namespace === flow.from.namespace &&
      policyTypes(p).includes('Egress') &&
      selects(p.spec?.podSelector, flow.from.labels),
  );
  if (
    egress.length > 0 &&
    !egress.some(p =>
      (p.spec?.egress ?? []).some(
        rule => peersMatch(rule.to, p, flow.to) && portsMatch(rule.ports, flow),
      ),
    )
  ) {
    return { allowed: false, side: 'egress', blockedBy: names(egress) };
  }
  if (!isPod(flow.to)) {
    return { allowed: true, blockedBy: [] };
  }
  const target = flow.to;
  const ingress = policies.filter(
    p =>
      p.metadata?.namespace === target.namespace &&
      policyTypes(p).includes('Ingress') &&
      selects(p.spec?.podSelector, target.labels),
  );
  if (
    ingress.length > 0 &&
    !ingress.some(p =>
      (p.spec?.ingress ?? []).some(
        rule =>
          peersMatch(rule._from, p, flow.from) && portsMatch(rule.ports, flow),
      ),
    )
  ) {
    return { allowed: false, side: 'ingress', blockedBy: names(ingress) };
  }
  return { allowed: true, blockedBy: [] };
}

function names(policies: V1NetworkPolicy[]): string[] {
  return policies.map(p => p.metadata?.name ?? '?');
}

function isPod(peer: PolicyPod | ExternalHost): peer is PolicyPod {
  return 'labels' in peer;
}

function policyTypes(policy: V1NetworkPolicy): string[] {
  if (policy.spec?.policyTypes?.length) {
    return policy.spec.policyTypes;
  }
  return policy.spec?.egress ? ['Ingress', 'Egress'] : ['Ingress'];
}

type Peer = {
  podSelector?: V1LabelSelector;
  namespaceSelector?: V1LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
};

function peersMatch(
  peers: Peer[] | undefined,
  policy: V1NetworkPolicy,
  other: PolicyPod | ExternalHost,
): boolean {
  // An absent or empty list matches everything.
  if (!peers || peers.length === 0) {
    return true;
  }
  return peers.some(peer => {
    if (peer.ipBlock) {
      return !isPod(other) && ipBlockMatches(peer.ipBlock, other.ip);
    }
    if (!isPod(other)) {
      return false;
    }
    const namespaceOk = peer.namespaceSelector
      ? selects(peer.namespaceSelector, other.namespaceLabels)
      : other.namespace === policy.metadata?.namespace;
    const podOk = peer.podSelector
      ? selects(peer.podSelector, other.labels)
      : true;
    return namespaceOk && podOk;
  });
}

function portsMatch(
  ports:
    | { port?: number | string; endPort?: number; protocol?: string }[]
    | undefined,
  flow: Flow,
): boolean {
  if (!ports || ports.length === 0) {
    return true;
  }
  return ports.some(p => {
    if ((p.protocol ?? 'TCP') !== flow.protocol) {
      return false;
    }
    if (p.port === undefined) {
      return true;
    }
    if (typeof p.port === 'string' && !/^\d+$/.test(p.port)) {
      // A named port is the destination pod's container port of that name.
      const named =
        isPod(flow.to) &&
        flow.to.ports?.find(
          c => c.name === p.port && (c.protocol ?? 'TCP') === flow.protocol,
        );
      return !!named && named.containerPort === flow.port;
    }
    const start = Number(p.port);
    const end = p.endPort ?? start;
    return flow.port >= start && flow.port <= end;
  });
}

/** matchLabels and matchExpressions; an empty selector selects everything. */
export function selects(
  selector: V1LabelSelector | undefined,
  labels: Record<string, string>,
): boolean {
  if (!selector) {
    return true;
  }
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) {
      return false;
    }
  }
  return (selector.matchExpressions ?? []).every(e => {
    const has = e.key in labels;
    switch (e.operator) {
      case 'In':
        return has && (e.values ?? []).includes(labels[e.key]);
      case 'NotIn':
        return !has || !(e.values ?? []).includes(labels[e.key]);
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
      default:
        return false;
    }
  });
}

function ipBlockMatches(
  block: { cidr: string; except?: string[] },
  ip: string | undefined,
): boolean {
  if (!ip) {
    // Unknown address: only a block covering every address surely matches.
    return block.cidr === '0.0.0.0/0' || block.cidr === '::/0';
  }
  return (
    cidrContains(block.cidr, ip) &&
    !(block.except ?? []).some(e => cidrContains(e, ip))
  );
}

function cidrContains(cidr: string, ip: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const a = ipv4ToNumber(base);
  const b = ipv4ToNumber(ip);
  if (a === undefined || b === undefined) {
    return cidr === '::/0';
  }
  const bits = Number(bitsText ?? 32);
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (a & mask) >>> 0 === (b & mask) >>> 0;
}

function ipv4ToNumber(ip: string): number | undefined {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some(p => !(p >= 0 && p <= 255))) {
    return undefined;
  }
  return parts.reduce((n, p) => n * 256 + p, 0);
}
