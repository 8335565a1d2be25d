// The measuring half of bench/replicas.sh, which starts the portal as one
// replica (:7007), runs `node bench/replicas.mjs one`, adds a second
// replica (:7018) and runs `node bench/replicas.mjs two`:
// - entity status p50/p95, the requests spread over the replicas as a load
//   balancer would (target: two replicas no slower than one);
// - cluster change → signal: the time from a change of a Flux object on the
//   API server to the GitOps signal naming its entity on a page's socket,
//   with two replicas on the second one (target ≤ 1 s).
// `one` keeps its figures in test-results/ so that `two` prints the ratio
// against the reference measured in the same run.
import fs from 'node:fs';
import https from 'node:https';
import { readStackEnv, time } from './lib.mjs';

const mode = process.argv[2];
if (!['one', 'two'].includes(mode)) {
  throw new Error('usage: node bench/replicas.mjs one|two (run by bench/replicas.sh)');
}
const replicas =
  mode === 'two'
    ? ['http://localhost:7007', 'http://localhost:7018']
    : ['http://localhost:7007'];
const ENTITY = 'example-website';
const STATUS_REQUESTS = 400;
const CHANGES = 30;
const reference = new URL('../test-results/bench-replicas-one.json', import.meta.url);
const stack = readStackEnv();
const clusterCa = fs.readFileSync(stack.K8S_CA_FILE);

const token = (
  await (
    await fetch(`${replicas[0]}/api/auth/guest/refresh?env=development`, {
      headers: { 'X-Requested-With': 'XMLHttpRequest' },
    })
  ).json()
).backstageIdentity.token;

/** A request to the cluster's API as its admin, without a kubectl process. */
function kube(method, path, body) {
  return new Promise((resolve, reject) => {
    const request = https.request(
      `${stack.K8S_API_URL}${path}`,
      {
        method,
        ca: clusterCa,
        headers: {
          Authorization: `Bearer ${stack.K8S_ADMIN_TOKEN}`,
          'Content-Type':
            method === 'PATCH' ? 'application/merge-patch+json' : 'application/json',
        },
      },
      response => {
        let text = '';
        response.on('data', chunk => (text += chunk));
        response.on('end', () =>
          response.statusCode < 300
            ? resolve(text)
            : reject(new Error(`${method} ${path}: ${response.statusCode} ${text}`)),
        );
      },
    );
    request.on('error', reject);
    request.end(body ? JSON.stringify(body) : undefined);
  });
}

const namespace = `bench-replicas-${Date.now().toString(36)}`;
const labels = {
  'backstage.io/kubernetes-id': ENTITY,
  'gitops.backstage.io/environment': 'development',
};
const kustomizationPath = `/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/${namespace}/kustomizations/bench`;

try {
  await kube('POST', '/api/v1/namespaces', { metadata: { name: namespace } });
  await kube('POST', `/apis/source.toolkit.fluxcd.io/v1/namespaces/${namespace}/gitrepositories`, {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    metadata: { name: 'bench', namespace, labels },
    spec: { url: 'http://127.0.0.1:1/none.git', interval: '1h', suspend: true },
  });
  await kube('POST', `/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/${namespace}/kustomizations`, {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: 'bench', namespace, labels },
    spec: {
      sourceRef: { kind: 'GitRepository', name: 'bench' },
      path: './', prune: true, interval: '1h', suspend: true,
    },
  });

  // Every replica has the objects before anything is timed.
  const statusPath = `/api/gitops/entities/component/default/${ENTITY}/status`;
  const get = async base => {
    const response = await fetch(`${base}${statusPath}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    if (!response.ok) throw new Error(`${base}${statusPath}: ${response.status}`);
    return response.json();
  };
  for (const base of replicas) {
    for (let seen = false; !seen; ) {
      const status = await get(base);
      seen = status.environments.some(e => e.objects.some(o => o.namespace === namespace));
      if (!seen) await new Promise(resolve => setTimeout(resolve, 500));
    }
  }

  // Warmed up alike: a replica that just started is still compiling.
  for (const base of replicas) {
    for (let i = 0; i < 100; i++) await get(base);
  }
  let next = 0;
  const status = await time(() => get(replicas[next++ % replicas.length]), STATUS_REQUESTS);

  // A page's signal socket on the last replica (the second one with two).
  const socketReplica = replicas[replicas.length - 1];
  const socket = new WebSocket(`${socketReplica.replace(/^http/, 'ws')}/api/signals`, token);
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = () => reject(new Error(`no signal socket on ${socketReplica}`));
  });
  socket.send(JSON.stringify({ action: 'subscribe', channel: 'gitops:changes' }));
  await new Promise(resolve => setTimeout(resolve, 1000));
  let waiting;
  socket.onmessage = event => {
    const frame = JSON.parse(event.data);
    if (frame.message?.kubernetesIds?.includes(ENTITY)) waiting?.();
  };
  const latencies = [];
  for (let i = 0; i < CHANGES; i++) {
    const arrived = new Promise((resolve, reject) => {
      waiting = resolve;
      setTimeout(() => reject(new Error(`no signal within 10 s (change ${i})`)), 10_000);
    });
    const start = performance.now();
    await kube('PATCH', kustomizationPath, {
      metadata: { annotations: { 'bench.gitops/change': String(i) } },
    });
    await arrived;
    latencies.push(performance.now() - start);
    // Past the signal batch, so each change is a signal of its own.
    await new Promise(resolve => setTimeout(resolve, 400));
  }
  socket.close();
  const sorted = [...latencies].sort((a, b) => a - b);
  const change = {
    p50: sorted[Math.floor(sorted.length * 0.5)],
    p95: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))],
  };

  const figures = { status, change };
  console.log(`${mode} replica(s):`);
  console.log(`  entity status over ${replicas.length} replica(s), ${STATUS_REQUESTS} requests: p50 ${status.p50.toFixed(1)} ms, p95 ${status.p95.toFixed(1)} ms`);
  console.log(`  cluster change → signal on ${socketReplica}, ${CHANGES} changes: p50 ${change.p50.toFixed(0)} ms, p95 ${change.p95.toFixed(0)} ms (target p95 ≤ 1000 ms)`);
  if (mode === 'one') {
    fs.mkdirSync(new URL('.', reference), { recursive: true });
    fs.writeFileSync(reference, JSON.stringify(figures));
  } else {
    const one = JSON.parse(fs.readFileSync(reference, 'utf8'));
    console.log(`  ratio two/one: status p95 ${(status.p95 / one.status.p95).toFixed(2)}, change → signal p95 ${(change.p95 / one.change.p95).toFixed(2)} (target status ≤ 1.0)`);
  }
} finally {
  await kube('DELETE', `/api/v1/namespaces/${namespace}`).catch(() => undefined);
}
