// Shared by the benchmarks: the local stack's env file and the portal's API
// as the guest user.
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
