// Benchmark: project initialization of 1 vs 3 environments through the
// running portal's scaffolder API (template gitops-service), on the local
// stack. Prints medians and the ratio 3 envs / 1 env, for the whole task
// and for the Flux part (gitops:flux:create + gitops:flux:wait).
// Run: scripts/start (or the test portal) in one shell, then
//   node bench/init.mjs [rounds]
import { execFileSync } from 'node:child_process';
import { callPortal, readStackEnv } from './lib.mjs';

const stackEnv = readStackEnv();
const giteaHost = new URL(stackEnv.GITEA_URL).host;
const rounds = Number(process.argv[2] ?? 3);
const call = callPortal;

const namespaces = [];
async function initProject(environments) {
  const name = `bench-${environments.length}-${Date.now().toString(36).slice(-5)}`;
  namespaces.push(...environments.map(e => `project-${name}-${e}`));
  const { id } = await call('/api/scaffolder/v2/tasks', {
    templateRef: 'template:default/gitops-service',
    values: {
      name,
      owner: 'group:default/guests',
      description: 'benchmark',
      environments,
      image: 'nginx:1.27',
      replicas: 1,
      environmentSettings: { production: { autoSync: true } },
      repoUrl: `${giteaHost}?owner=${stackEnv.GITEA_ORG}&repo=${name}`,
    },
  });
  let task;
  do {
    await new Promise(resolve => setTimeout(resolve, 250));
    task = await call(`/api/scaffolder/v2/tasks/${id}`);
  } while (!['completed', 'failed', 'cancelled'].includes(task.status));
  if (task.status !== 'completed') {
    throw new Error(`task ${id} for ${name} ended ${task.status}`);
  }
  const events = await call(`/api/scaffolder/v2/tasks/${id}/events`);
  const at = (stepId, status) =>
    Date.parse(
      events.find(e => e.body.stepId === stepId && e.body.status === status)
        .createdAt,
    );
  return {
    total: at('register', 'completed') - at('fetch', 'processing'),
    flux: at('wait', 'completed') - at('flux', 'processing'),
  };
}

const median = values =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const one = [];
const three = [];
for (let round = 1; round <= rounds; round++) {
  // Alternate so drift affects both alike.
  one.push(await initProject(['development']));
  three.push(await initProject(['development', 'staging', 'production']));
  console.log(
    `round ${round}: 1 env ${JSON.stringify(one.at(-1))} ms, 3 envs ${JSON.stringify(three.at(-1))} ms`,
  );
}
for (const part of ['total', 'flux']) {
  const a = median(one.map(r => r[part]));
  const b = median(three.map(r => r[part]));
  console.log(
    `${part.padEnd(5)}: 1 env ${a} ms, 3 envs ${b} ms, ratio ${(b / a).toFixed(2)} (target <= 1.5)`,
  );
}
console.log(
  'Step times come from task events, which have one-second resolution.',
);
execFileSync(
  stackEnv.KUBECTL,
  ['--kubeconfig', stackEnv.KUBECONFIG, 'delete', 'namespace', '--wait=false', ...namespaces],
  { stdio: 'ignore' },
);
