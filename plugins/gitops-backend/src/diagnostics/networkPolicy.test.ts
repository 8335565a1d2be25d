import { V1NetworkPolicy } from '@kubernetes/client-node';
import { evaluateFlow, PolicyPod } from './networkPolicy';

const ns = { 'kubernetes.io/metadata.name': 'flux-system' };
const pod = (app: string, ports: PolicyPod['ports'] = []): PolicyPod => ({
  namespace: 'flux-system',
  namespaceLabels: ns,
  labels: { app },
  ports,
});
const kustomize = pod('kustomize-controller');
const source = pod('source-controller', [
  { name: 'http', containerPort: 9090, protocol: 'TCP' },
]);
const dnsPod: PolicyPod = {
  namespace: 'kube-system',
  namespaceLabels: { 'kubernetes.io/metadata.name': 'kube-system' },
  labels: { 'k8s-app': 'kube-dns' },
};
const artifacts = {
  from: kustomize,
  to: source,
  port: 9090,
  protocol: 'TCP' as const,
};

// The policy of seed 001: egress only to 443, 22 and 6443.
const seedPolicy: V1NetworkPolicy = {
  metadata: { name: 'allow-egress', namespace: 'flux-system' },
  spec: {
    podSelector: {},
    policyTypes: ['Egress'],
    egress: [
      {
        ports: [
          { port: 443, protocol: 'TCP' },
          { port: 22, protocol: 'TCP' },
          { port: 6443, protocol: 'TCP' },
        ],
      },
    ],
  },
};

describe('evaluateFlow', () => {
  it('allows everything without policies', () => {
    expect(evaluateFlow([], artifacts).allowed).toBe(true);
  });

  it('finds the blocked artifact port and DNS of seed 001', () => {
    expect(evaluateFlow([seedPolicy], artifacts)).toEqual({
      allowed: false,
      side: 'egress',
      blockedBy: ['allow-egress'],
    });
    expect(
      evaluateFlow([seedPolicy], {
        from: kustomize,
        to: dnsPod,
        port: 53,
        protocol: 'UDP',
      }).allowed,
    ).toBe(false);
    expect(
      evaluateFlow([seedPolicy], {
        from: source,
        to: {},
        port: 443,
        protocol: 'TCP',
      }).allowed,
    ).toBe(true);
  });

  it('accepts the fixed policy of seed 001 (namespaceSelector {} and a named port)', () => {
    const fixed: V1NetworkPolicy = {
      metadata: { name: 'allow-egress', namespace: 'flux-system' },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          {
            to: [{ namespaceSelector: {} }],
            ports: [{ protocol: 'TCP', port: 'http' }],
          },
          {
            to: [
              {
                namespaceSelector: {},
                podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
              },
            ],
            ports: [{ protocol: 'UDP', port: 53 }],
          },
        ],
      },
    };
    expect(evaluateFlow([fixed], artifacts).allowed).toBe(true);
    expect(
      evaluateFlow([fixed], {
        from: kustomize,
        to: dnsPod,
        port: 53,
        protocol: 'UDP',
      }).allowed,
    ).toBe(true);
    // A pod (not an IP block) peer never matches an outside host.
    expect(
      evaluateFlow([fixed], {
        from: source,
        to: {},
        port: 443,
        protocol: 'TCP',
      }).allowed,
    ).toBe(false);
  });

  it('blocks on the ingress side when source-controller only admits other namespaces', () => {
    const ingress: V1NetworkPolicy = {
      metadata: { name: 'deny-ingress', namespace: 'flux-system' },
      spec: {
        podSelector: {
          matchExpressions: [
            { key: 'app', operator: 'In', values: ['source-controller'] },
          ],
        },
        ingress: [
          { _from: [{ namespaceSelector: { matchLabels: { team: 'ops' } } }] },
        ],
      },
    };
    expect(evaluateFlow([ingress], artifacts)).toEqual({
      allowed: false,
      side: 'ingress',
      blockedBy: ['deny-ingress'],
    });
    // Policies add up: a second policy admitting the namespace opens it.
    const allow: V1NetworkPolicy = {
      metadata: { name: 'allow-same-ns', namespace: 'flux-system' },
      spec: {
        podSelector: {},
        ingress: [
          {
            _from: [{ podSelector: {} }],
            ports: [{ port: 9000, endPort: 9100 }],
          },
        ],
      },
    };
    expect(evaluateFlow([ingress, allow], artifacts).allowed).toBe(true);
  });

  it('matches IP blocks with their exceptions', () => {
    const egress: V1NetworkPolicy = {
      metadata: { name: 'git', namespace: 'flux-system' },
      spec: {
        podSelector: { matchLabels: { app: 'source-controller' } },
        policyTypes: ['Egress'],
        egress: [
          {
            to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }],
          },
        ],
      },
    };
    const git = (ip: string) => ({
      from: source,
      to: { ip },
      port: 443,
      protocol: 'TCP' as const,
    });
    expect(evaluateFlow([egress], git('10.2.3.4')).allowed).toBe(true);
    expect(evaluateFlow([egress], git('10.1.3.4')).allowed).toBe(false);
    expect(evaluateFlow([egress], git('192.168.0.1')).allowed).toBe(false);
  });
});
