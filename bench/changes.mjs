// Benchmark: the pending change of an environment whose next sync changes
// 200 files (the sample service's development, held by suspending its
// Kustomization while a commit adds the files under its path). Prints the
// first answer (the portal fetches the commit) and repeated p50/p95 (the
// answer kept for the revision pair), the repository fetches each made
// (Gitea's request log), and the reference measured in the same run: what a
// person runs by hand for the same answer (git clone, log and diff of the
// path). Run against a started portal (`scripts/start`):
//   node bench/changes.mjs [files]
// The files are removed by a second commit and the environment resumed at
// the end, so the sample's state is as before.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { callPortal, kubectl, readStackEnv, time } from './lib.mjs';

const FILES = Number(process.argv[2] ?? 200);
const RUNS = 10;
const ENTITY = 'sample-shop';
const ENVIRONMENT = 'development';
const namespace = `project-${ENTITY}-${ENVIRONMENT}`;
const name = `${ENTITY}-${ENVIRONMENT}`;
const env = readStackEnv();
const giteaLog = path.join(env.STACK_STATE_DIR, 'logs', 'gitea.log');
const pendingPath = `/api/gitops/entities/component/default/${ENTITY}/environments/${ENVIRONMENT}/pending`;

const read = (kind, objectName) =>
  JSON.parse(kubectl(['get', kind, '-n', namespace, objectName, '-o', 'json']));
const suspend = (kind, objectName, value) =>
  kubectl(['patch', kind, '-n', namespace, objectName, '--type=merge', '-p', JSON.stringify({ spec: { suspend: value } })]);
const requestReconcile = (kind, objectName) =>
  kubectl(['annotate', '--overwrite', kind, '-n', namespace, objectName, `reconcile.fluxcd.io/requestedAt=${Date.now()}`]);

const kustomization = read('kustomization', name);
const sourceName = kustomization.spec.sourceRef.name;
const source = read('gitrepository', sourceName);
const overlay = path.posix.normalize(kustomization.spec.path ?? '.').replace(/^\.\//, '');
// Flux reads it over SSH with a deploy key; the benchmark and the portal
// over HTTP, the benchmark as Gitea's admin.
const repoPath = new URL(source.spec.url).pathname;
const httpUrl = `${env.GITEA_URL}${repoPath}`;

// A repository's fetches: Git's smart HTTP starts each with info/refs.
const fetchesOfRepo = () =>
  fs
    .readFileSync(giteaLog, 'utf8')
    .split('\n')
    .filter(line => line.includes(`completed GET ${repoPath}/info/refs?service=git-upload-pack`)).length;

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-changes-'));
// The admin's credentials go in git's environment, not its arguments, and
// a failure names the command without them.
const credentials = Buffer.from(`${env.GITEA_ADMIN_USER}:${env.GITEA_TOKEN}`).toString('base64');
const gitEnv = {
  ...process.env,
  GIT_CONFIG_COUNT: '1',
  GIT_CONFIG_KEY_0: 'http.extraHeader',
  GIT_CONFIG_VALUE_0: `Authorization: Basic ${credentials}`,
  GIT_TERMINAL_PROMPT: '0',
};
function git(cwd, ...args) {
  try {
    return execFileSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@example.com', ...args], {
      cwd,
      env: gitEnv,
      maxBuffer: 1 << 28,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
      .toString()
      .trim();
  } catch (error) {
    throw new Error(`git ${args[0]} failed: ${error.stderr?.toString().trim()}`);
  }
}
const clone = path.join(work, 'clone');
const dir = path.posix.join(overlay, 'bench-changes');

async function waitForFetched(sha) {
  requestReconcile('gitrepository', sourceName);
  for (let i = 0; i < 120; i++) {
    if (read('gitrepository', sourceName).status?.artifact?.revision?.endsWith(sha)) {
      return;
    }
    await new Promise(resolve => setTimeout(resolve, 1000));
  }
  throw new Error(`GitRepository ${sourceName} did not fetch ${sha}`);
}

let pushed = false;
try {
  suspend('kustomization', name, true);
  git(work, 'clone', '-q', httpUrl, clone);
  const applied = git(clone, 'rev-parse', 'HEAD');
  fs.mkdirSync(path.join(clone, dir), { recursive: true });
  for (let i = 0; i < FILES; i++) {
    fs.writeFileSync(
      path.join(clone, dir, `config-${i}.yaml`),
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bench-${i}\ndata:\n${Array.from({ length: 10 }, (_, j) => `  key${j}: value-${i}-${j}\n`).join('')}`,
    );
  }
  git(clone, 'add', '-A');
  git(clone, 'commit', '-q', '-m', `bench: ${FILES} files under ${overlay}`);
  git(clone, 'push', '-q', 'origin', 'HEAD');
  pushed = true;
  const head = git(clone, 'rev-parse', 'HEAD');
  await waitForFetched(head);
  // No fetch of the source-controller's between the portal's: held too.
  suspend('gitrepository', sourceName, true);
  await new Promise(resolve => setTimeout(resolve, 2000));

  let before = fetchesOfRepo();
  const started = performance.now();
  const first = await callPortal(pendingPath);
  const firstMs = performance.now() - started;
  const firstFetches = fetchesOfRepo() - before;
  if (!first.pending || first.files.length !== FILES || first.sourceCommit !== head || first.appliedCommit !== applied) {
    throw new Error(`unexpected answer: pending ${first.pending}, ${first.files.length} files, ${first.appliedCommit}..${first.sourceCommit}`);
  }
  before = fetchesOfRepo();
  const repeated = await time(() => callPortal(pendingPath), RUNS);
  const repeatedFetches = fetchesOfRepo() - before;

  // By hand: a fresh clone, then the commits and the diff of the path.
  const reference = await time(async () => {
    const fresh = fs.mkdtempSync(path.join(work, 'ref-'));
    git(fresh, 'clone', '-q', '--no-checkout', httpUrl, 'repo');
    const repo = path.join(fresh, 'repo');
    git(repo, 'log', '--format=%H %an %aI %s', `${applied}..${head}`, '--', overlay);
    git(repo, 'diff', applied, head, '--', overlay);
  }, 3);

  console.log(`pending change of ${FILES} files under ${overlay} (${Math.round(first.diff.length / 1024)} KiB of diff${first.truncated ? ', over the bound: files listed, diff not shown' : ''})`);
  console.log(`first answer (portal fetches the commit): ${firstMs.toFixed(0)} ms, ${firstFetches} fetch(es) of the repository (target < 2000 ms, <= 1 fetch)`);
  console.log(`repeated (the pair's answer kept): p50 ${repeated.p50.toFixed(1)} ms, p95 ${repeated.p95.toFixed(1)} ms, ${repeatedFetches} fetch(es) in ${RUNS} answers (target 0)`);
  console.log(`by hand (git clone + log + diff of the path): p50 ${reference.p50.toFixed(0)} ms`);
  console.log(`ratio first answer / by hand: ${(firstMs / reference.p50).toFixed(2)}; repeated p50 / by hand: ${(repeated.p50 / reference.p50).toFixed(3)}`);
} finally {
  if (pushed) {
    console.log('removing the files and resuming the environment…');
    git(clone, 'rm', '-q', '-r', dir);
    git(clone, 'commit', '-q', '-m', 'bench: remove the files again');
    git(clone, 'push', '-q', 'origin', 'HEAD');
  }
  suspend('gitrepository', sourceName, false);
  suspend('kustomization', name, false);
  requestReconcile('gitrepository', sourceName);
  requestReconcile('kustomization', name);
  fs.rmSync(work, { recursive: true, force: true });
}
