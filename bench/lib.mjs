// Shared by the benchmarks: the local stack's env file and the portal's API
// as the guest user.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

export const backend = process.env.BACKEND_URL ?? 'http://localhost:7007';

export function readStackEnv() {
  return Object.fromEntries(
    fs
      .readFileSync(new URL('../.stack/stack.env', import.meta.url), 'utf8')
      .split('\n')
      .map(line => /^([A-Z0-9_]+)=(.*)$/.exec(line))
      .filter(Boolean)
      .map(([, key, value]) => [key, value]),
  );
}

let token;
/** GET or POST (with a body) to the portal's backend; throws on errors. */
export async function callPortal(path, body) {
  token ??= (
    await (
      await fetch(`${backend}/api/auth/guest/refresh?env=development`, {
        headers: { 'X-Requested-With': 'XMLHttpRequest' },
      })
    ).json()
  ).backstageIdentity.token;
  const request = () =>
    fetch(`${backend}${path}`, {
      method: body ? 'POST' : 'GET',
      headers: {
        Authorization: `Bearer ${token}`,
        ...(body ? { 'Content-Type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
  // A kept-alive socket the server closed meanwhile: retry once, fresh.
  const response = await request().catch(error =>
    error?.cause?.code === 'UND_ERR_SOCKET' ? request() : Promise.reject(error),
  );
  if (!response.ok) {
    throw new Error(`${path}: ${response.status} ${await response.text()}`);
  }
  return response.json();
}

/** kubectl of the local stack, as its admin. */
export function kubectl(args, input) {
  const env = readStackEnv();
  return execFileSync(env.KUBECTL, ['--kubeconfig', env.KUBECONFIG, ...args], {
    input,
    maxBuffer: 1 << 28,
  }).toString();
}

const percentile = (values, p) =>
  [...values].sort((a, b) => a - b)[
    Math.min(values.length - 1, Math.floor(values.length * p))
  ];

/** p50 and p95 of `runs` sequential calls, in ms. */
export async function time(fn, runs) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  return { p50: percentile(samples, 0.5), p95: percentile(samples, 0.95) };
}
