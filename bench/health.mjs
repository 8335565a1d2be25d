// Benchmark: a full health check of a cluster holding 1,000 Flux objects
// (500 GitRepositories + 500 Kustomizations over 50 namespaces; one
// GitRepository per namespace active, so 50 distinct repositories are
// probed; the rest suspended so the controllers stay mostly idle). Reference, measured in the same run: what a person runs by hand
// for the same facts with kubectl (Flux objects, CRDs, Flux Deployments,
// NetworkPolicies, one access review). Run against a started portal:
//   node bench/health.mjs           (objects are deleted at the end)
import { callPortal, kubectl, readStackEnv, time } from './lib.mjs';

const NAMESPACES = 50;
const PER_NAMESPACE = 10;
const RUNS = 10;
const env = readStackEnv();
const run = Date.now().toString(36).slice(-4);
const namespaces = Array.from({ length: NAMESPACES }, (_, i) => `bench-health-${run}-${i}`);

try {
  const items = namespaces.map(name => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));
  for (const [i, namespace] of namespaces.entries()) {
    for (let j = 0; j < PER_NAMESPACE; j++) {
      items.push(
        {
          apiVersion: 'source.toolkit.fluxcd.io/v1',
          kind: 'GitRepository',
          metadata: { name: `repo-${j}`, namespace },
          // One active source per namespace (Flux fetches it, the health
          // check probes it); the others suspended.
          spec: { url: `${env.GITEA_URL}/${env.GITEA_ORG}/bench-${i}.git`, interval: '1h', suspend: j > 0 },
        },
        {
          apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
          kind: 'Kustomization',
          metadata: { name: `app-${j}`, namespace },
          spec: {
            sourceRef: { kind: 'GitRepository', name: `repo-${j}` },
            path: './',
            prune: true,
            interval: '1h',
            suspend: true,
            dependsOn: j > 0 ? [{ name: `app-${j - 1}` }] : [],
          },
        },
      );
    }
  }
  kubectl(['apply', '--server-side', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
  const want = NAMESPACES * PER_NAMESPACE * 2;
  for (let seen = 0; seen < want; ) {
    await new Promise(resolve => setTimeout(resolve, 2000));
    const { items: objects } = await callPortal('/api/gitops/objects');
    seen = objects.filter(o => o.namespace.startsWith(`bench-health-${run}-`)).length;
    console.log(`portal has ${seen} of ${want} objects`);
  }

  // Let source-controller finish its first fetches of the active sources,
  // so the Git server is not busy with them while we measure.
  for (let settled = 0; settled < NAMESPACES; ) {
    await new Promise(resolve => setTimeout(resolve, 2000));
    const { items: objects } = await callPortal('/api/gitops/objects');
    settled = objects.filter(
      o => o.kind === 'GitRepository' && o.namespace.startsWith(`bench-health-${run}-`) && o.state === 'Failed',
    ).length;
    console.log(`${settled} of ${NAMESPACES} active sources fetched once`);
  }

  let report;
  // The first run asks every Git host; later runs within two minutes reuse
  // the answers for unchanged URLs and Secrets.
  const cold = await time(async () => {
    [report] = await callPortal('/api/gitops/health/run', { cluster: 'local' }).then(r => r.items);
  }, 1);
  const coldGit = report.checks.find(c => c.id === 'git');
  const ours = await time(async () => {
    [report] = await callPortal('/api/gitops/health/run', { cluster: 'local' }).then(r => r.items);
  }, RUNS);
  const theirs = await time(async () => {
    kubectl(['get', 'gitrepositories,kustomizations,helmreleases', '-A', '-o', 'json']);
    kubectl(['get', 'crd', '-l', 'app.kubernetes.io/part-of=flux', '-o', 'json']);
    kubectl(['-n', env.FLUX_NAMESPACE, 'get', 'deployments,networkpolicies', '-o', 'json']);
    kubectl(['auth', 'can-i', 'patch', 'kustomizations.kustomize.toolkit.fluxcd.io']);
  }, RUNS);
  const objects = Object.values(report.syncSummary).reduce((a, b) => a + b, 0);
  console.log(`first health check (every Git host asked): ${cold.p50.toFixed(0)} ms, of which Git ${coldGit.durationMs} ms: ${coldGit.summary}`);
  console.log(`health check of ${objects} Flux objects (${report.findings.length} findings), repeated: p50 ${ours.p50.toFixed(0)} ms, p95 ${ours.p95.toFixed(0)} ms (target <= 2000 ms)`);
  for (const check of report.checks) {
    console.log(`  ${check.id.padEnd(13)} ${String(check.durationMs).padStart(5)} ms  ${check.summary}`);
  }
  console.log(`reference, kubectl by hand (4 commands): p50 ${theirs.p50.toFixed(0)} ms, p95 ${theirs.p95.toFixed(0)} ms`);
  console.log(`ratio portal/kubectl (p50): ${(ours.p50 / theirs.p50).toFixed(2)}`);
} finally {
  console.log('deleting the benchmark namespaces…');
  kubectl(['delete', 'namespace', '--wait=false', ...namespaces]);
}
