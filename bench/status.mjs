// Benchmark: entity status from the portal's watch cache vs kubectl, with
// 10,000 Flux objects (5,000 Kustomizations + 5,000 GitRepositories over
// 1,000 namespaces, all suspended so the controllers stay idle).
// Prints p50/p95 of both, their ratio, API-server requests per page view
// and backend memory per cached object. Run against a started portal:
//   node bench/status.mjs            (objects are deleted at the end)
//   node bench/status.mjs 10000 30000
// With several counts the objects are added in steps and the memory per
// object is printed at each (whether it stays flat); the timings are taken
// at the largest.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { callPortal, kubectl, readStackEnv, time } from './lib.mjs';

const PER_NAMESPACE = 5;
const counts = (process.argv.length > 2 ? process.argv.slice(2) : ['10000'])
  .map(Number)
  .sort((a, b) => a - b);
if (counts.some(n => !Number.isInteger(n) || n <= 0 || n % (PER_NAMESPACE * 2 * 100) !== 0)) {
  throw new Error(`object counts must be multiples of ${PER_NAMESPACE * 2 * 100}`);
}
const NAMESPACES = counts[counts.length - 1] / (PER_NAMESPACE * 2);
const ENTITY = 'example-website';
const stackEnv = readStackEnv();

const get = path => callPortal(path);

function backendRssKiB() {
  const out = spawnSync('ss', ['-ltnpH', 'sport = :7007']).stdout.toString();
  const pid = /pid=(\d+)/.exec(out)?.[1];
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]);
}

// The backend's RSS swings with garbage collection and startup work; the
// lowest of several readings over 20 s is closest to what it keeps.
async function settledRssKiB() {
  let lowest = Infinity;
  for (let i = 0; i < 10; i++) {
    lowest = Math.min(lowest, backendRssKiB());
    await new Promise(resolve => setTimeout(resolve, 2000));
  }
  return lowest;
}

// With the backend started under the inspector (`yarn start --inspect`), the
// V8 heap after a full garbage collection: what the cache really keeps.
async function backendHeapAfterGcKiB() {
  const inspector = process.env.BENCH_INSPECTOR ?? '127.0.0.1:9229';
  let targets;
  try {
    targets = await (await fetch(`http://${inspector}/json/list`)).json();
  } catch {
    return undefined;
  }
  const socket = new WebSocket(targets[0].webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = reject;
  });
  let nextId = 1;
  const call = method =>
    new Promise(resolve => {
      const id = nextId++;
      socket.addEventListener('message', function answer(event) {
        const message = JSON.parse(event.data);
        if (message.id === id) {
          socket.removeEventListener('message', answer);
          resolve(message.result);
        }
      });
      socket.send(JSON.stringify({ id, method }));
    });
  await call('HeapProfiler.collectGarbage');
  const { usedSize } = await call('Runtime.getHeapUsage');
  socket.close();
  return usedSize / 1024;
}

function apiRequestsTotal() {
  const metrics = execFileSync('curl', [
    '-sk',
    '-H',
    `Authorization: Bearer ${stackEnv.K8S_ADMIN_TOKEN}`,
    `${stackEnv.K8S_API_URL}/metrics`,
  ], { maxBuffer: 1 << 28 }).toString();
  let total = 0;
  for (const line of metrics.split('\n')) {
    if (line.startsWith('apiserver_request_total{')) {
      total += Number(line.split(' ').pop());
    }
  }
  return total;
}


const run = Date.now().toString(36).slice(-4);
const namespaces = Array.from({ length: NAMESPACES }, (_, i) => `bench-status-${run}-${i}`);
try {
  const heapBefore = await backendHeapAfterGcKiB();
  const rssBefore = await settledRssKiB();
  let rssAfter;
  let heapAfter;
  let createdNamespaces = 0;
  for (const count of counts) {
    const stepNamespaces = count / (PER_NAMESPACE * 2);
    console.log(`creating namespaces and Flux objects up to ${count}…`);
    const created = performance.now();
    for (let batch = createdNamespaces; batch < stepNamespaces; batch += 100) {
      const items = [];
      for (const ns of namespaces.slice(batch, batch + 100)) {
        items.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
      }
      kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
      items.length = 0;
      for (const [index, ns] of namespaces.slice(batch, batch + 100).entries()) {
        const id = batch + index === 7 ? ENTITY : `bench-svc-${batch + index}`;
        const labels = { 'backstage.io/kubernetes-id': id, 'gitops.backstage.io/environment': 'development' };
        for (let j = 0; j < PER_NAMESPACE; j++) {
          items.push(
            {
              apiVersion: 'source.toolkit.fluxcd.io/v1',
              kind: 'GitRepository',
              metadata: { name: `repo-${j}`, namespace: ns, labels },
              spec: { url: 'http://127.0.0.1:1/none.git', interval: '1h', suspend: true },
            },
            {
              apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
              kind: 'Kustomization',
              metadata: { name: `app-${j}`, namespace: ns, labels },
              spec: {
                sourceRef: { kind: 'GitRepository', name: `repo-${j}` },
                path: './', prune: true, interval: '1h', suspend: true,
              },
            },
          );
        }
      }
      kubectl(['apply', '--server-side', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
    }
    createdNamespaces = stepNamespaces;
    console.log(`created in ${((performance.now() - created) / 1000).toFixed(0)} s`);
    const want = count;
    const countOurs = list =>
      list.items.filter(o => o.namespace.startsWith(`bench-status-${run}-`)).length;
    // The 10 MB object list is polled sparingly while the watch catches up.
    for (let seen = 0; seen < want; ) {
      await new Promise(resolve => setTimeout(resolve, 5000));
      seen = countOurs(await get('/api/gitops/objects'));
      console.log(`portal has ${seen} of ${want} objects`);
    }
    rssAfter = await settledRssKiB();
    heapAfter = await backendHeapAfterGcKiB();
    const perObject = (after, before) => (((after - before) * 1024) / count / 1024).toFixed(2);
    console.log(
      `at ${count} objects: RSS +${perObject(rssAfter, rssBefore)} KiB per object` +
        (heapAfter === undefined ? '' : `, heap after full GC +${perObject(heapAfter, heapBefore)} KiB per object (target <= 1 KiB, flat)`),
    );
  }

  const statusPath = `/api/gitops/entities/component/default/${ENTITY}/status`;
  await get(statusPath);
  const requestsBefore = apiRequestsTotal();
  const views = 100;
  const ours = await time(() => get(statusPath), views);
  const requestsDuring = apiRequestsTotal() - requestsBefore;
  // The same span without page views: controllers and kubelets talk too.
  const quietStart = apiRequestsTotal();
  await new Promise(resolve => setTimeout(resolve, 1000));
  const background = apiRequestsTotal() - quietStart;

  const theirs = await time(
    async () =>
      kubectl([
        'get', 'kustomizations,gitrepositories', '-A',
        '-l', `backstage.io/kubernetes-id=${ENTITY}`, '-o', 'json',
      ]),
    20,
  );
  const objects = counts[counts.length - 1];
  console.log(`entity status (portal):  p50 ${ours.p50.toFixed(1)} ms, p95 ${ours.p95.toFixed(1)} ms (target p95 <= 10 ms)`);
  console.log(`kubectl get -A -l … -o json: p50 ${theirs.p50.toFixed(1)} ms, p95 ${theirs.p95.toFixed(1)} ms`);
  console.log(`ratio portal/kubectl (p50): ${(ours.p50 / theirs.p50).toFixed(3)} (target <= 0.05)`);
  console.log(`API-server requests during ${views} page views: ${requestsDuring} (background in a quiet second: ${background}); per view ≈ ${Math.max(0, (requestsDuring - background) / views).toFixed(2)}`);
  console.log(`backend memory: +${((rssAfter - rssBefore) / 1024).toFixed(1)} MiB for ${objects} objects = ${(((rssAfter - rssBefore) * 1024) / objects / 1024).toFixed(2)} KiB per object (target <= 2 KiB; lowest RSS over 20 s before and after, includes heap slack)`);
  if (heapBefore === undefined || heapAfter === undefined) {
    console.log('backend heap: no inspector at BENCH_INSPECTOR (default 127.0.0.1:9229); start the portal with `yarn start --inspect` for the heap figure');
  } else {
    console.log(`backend heap after full GC: +${((heapAfter - heapBefore) / 1024).toFixed(1)} MiB for ${objects} objects = ${((heapAfter - heapBefore) / objects).toFixed(2)} KiB per object (target <= 1 KiB)`);
  }
} finally {
  console.log('deleting the benchmark namespaces…');
  kubectl(['delete', 'namespace', '--wait=false', ...namespaces], undefined);
}
