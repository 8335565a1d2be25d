import {
  conditionOfType,
  FluxResource,
  HealthFinding,
  LABEL_KUBERNETES_ID,
  syncState,
} from '@gitops-backstage/plugin-gitops-common';
import {
  describeKubernetesError,
  kubernetesErrorCode,
} from '@gitops-backstage/plugin-gitops-node';
import { ClusterClient } from '../../cluster/ClusterClient';
import { CheckOutcome } from './types';
import { outcome, refOf } from './outcome';
import { kubernetesName, shellQuote } from './shell';

const PROBE_TIMEOUT_MS = 5000;
const PROBE_CONCURRENCY = 16;
/** How long a Git host's answer to the same URL and Secret is reused. */
export const PROBE_REUSE_MS = 120_000;

/**
 * Answers of Git hosts, keyed by URL and the Secret's resourceVersion, so
 * a changed Secret or URL is always asked afresh.
 */
export class ProbeCache {
  private readonly answers = new Map<string, { at: number; answer: Probe }>();

  get(key: string, now = Date.now()): Probe | undefined {
    const hit = this.answers.get(key);
    return hit && now - hit.at < PROBE_REUSE_MS ? hit.answer : undefined;
  }

  set(key: string, answer: Probe, now = Date.now()) {
    this.answers.set(key, { at: now, answer });
    for (const [k, v] of this.answers) {
      if (now - v.at >= PROBE_REUSE_MS) this.answers.delete(k);
    }
  }
}

const MAX_REDIRECTS = 3;

/** The URL without `user:password@`. */
export function withoutUserinfo(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//');
  }
}

const isRedirect = (response: Response) =>
  response.status >= 300 && response.status < 400;

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}

type Probe =
  | { ok: true; detail: string }
  | {
      ok: false;
      code: 'GIT_AUTH_FAILED' | 'GIT_CLONE_FAILED';
      detail: string;
    };

/**
 * Each GitRepository's fetch state and an active probe: the smart-HTTP
 * ref advertisement of its URL, asked with the credentials of its Secret.
 * The probe runs from the backend, not from source-controller's pod.
 */
export async function gitCheck(
  cluster: string,
  client: ClusterClient,
  repositories: FluxResource[],
  /**
   * Hosts the backend may send a Secret's credentials to. A GitRepository
   * names any URL; probing all of them would let a tenant aim the portal's
   * network position (and its own Secret) at internal services.
   */
  mayProbeHost: (host: string) => boolean,
  cache: ProbeCache = new ProbeCache(),
): Promise<CheckOutcome> {
  const probes = new Map<string, Promise<Probe>>();
  const queue = limit(PROBE_CONCURRENCY);
  const findings: HealthFinding[] = [];
  let probed = 0;
  let skipped = 0;
  let unlisted = 0;
  let suspended = 0;
  let slowest = 0;
  let reused = 0;

  const results = await Promise.all(
    repositories.map(async repo => {
      const url = repo.spec?.url ?? '';
      // Flux does not fetch a suspended source; neither does the probe.
      if (repo.spec?.suspend) {
        suspended++;
        return undefined;
      }
      if (!/^https?:\/\//.test(url)) {
        skipped++;
        return undefined;
      }
      if (!mayProbeHost(hostOf(url))) {
        unlisted++;
        return undefined;
      }
      const secretName = (repo.spec as any)?.secretRef?.name as
        | string
        | undefined;
      const namespace = repo.metadata.namespace ?? 'default';
      const key = `${url}|${secretName ? `${namespace}/${secretName}` : ''}`;
      if (!probes.has(key)) {
        probed++;
        probes.set(
          key,
          queue(async () => {
            const start = performance.now();
            const credentials = await readCredentials(
              client,
              namespace,
              secretName,
            );
            if ('failure' in credentials) {
              return credentials.failure;
            }
            const cacheKey = `${url}|${credentials.version}`;
            const cached = cache.get(cacheKey);
            if (cached) {
              reused++;
              return cached;
            }
            const result = await probe(
              url,
              credentials.headers,
              credentials.using,
            );
            cache.set(cacheKey, result);
            slowest = Math.max(slowest, performance.now() - start);
            return result;
          }),
        );
      }
      return { repo, result: await probes.get(key)!, secretName };
    }),
  );

  for (const entry of results) {
    if (!entry || entry.result.ok) continue;
    const { repo, result, secretName } = entry;
    const ready = conditionOfType(repo, 'Ready');
    const state = syncState(repo);
    findings.push({
      code: result.code,
      severity: state === 'Suspended' ? 'warning' : 'error',
      check: 'git',
      cluster,
      object: refOf(repo),
      kubernetesId: repo.metadata.labels?.[LABEL_KUBERNETES_ID],
      evidence: `${result.detail}${
        ready
          ? `; GitRepository Ready=${ready.status} reason ${ready.reason}: ${(
              ready.message ?? ''
            ).trim()}`
          : ''
      }`,
      cause:
        result.code === 'GIT_AUTH_FAILED'
          ? 'The Git server does not accept the credentials in the GitRepository’s Secret (wrong, expired or missing).'
          : 'The repository cannot be fetched: the URL is wrong, the repository does not exist, or the host is unreachable.',
      fix:
        result.code === 'GIT_AUTH_FAILED'
          ? [
              `kubectl -n ${repo.metadata.namespace} create secret generic ${
                kubernetesName(secretName) ?? '<name>'
              } --from-literal=username=<user> --from-literal=password=<token> --dry-run=client -o yaml | kubectl apply -f -`,
              `flux -n ${repo.metadata.namespace} reconcile source git ${repo.metadata.name}`,
            ]
          : [
              // The URL is the tenant's text: quoted, without credentials.
              `git ls-remote ${shellQuote(
                withoutUserinfo(repo.spec?.url ?? ''),
              )}`,
              `kubectl -n ${repo.metadata.namespace} patch gitrepository ${repo.metadata.name} --type merge -p '{"spec":{"url":"<correct url>"}}'`,
            ],
      // HTTP sources only: the portal never copies its integration
      // credential into a namespace, so there is no repair to offer.
    });
  }
  const failing = repositories.filter(r => syncState(r) === 'Failed').length;
  const summary = [
    `${repositories.length} GitRepositories, ${failing} failing`,
    `${probed} distinct repositories checked with their credentials${
      probed > reused ? ` (slowest answer ${Math.round(slowest)} ms)` : ''
    }`,
    ...(reused
      ? [
          `${reused} answer(s) of the last ${
            PROBE_REUSE_MS / 60_000
          } min reused`,
        ]
      : []),
    ...(skipped ? [`${skipped} SSH URL(s) not probed`] : []),
    ...(unlisted
      ? [
          `${unlisted} URL(s) on hosts without a Git integration not probed (gitops.health.gitProbe.allowedHosts)`,
        ]
      : []),
    ...(suspended ? [`${suspended} suspended not probed`] : []),
  ].join('; ');
  return outcome(
    findings,
    summary,
    `${findings.length} problem(s): ${summary}`,
  );
}

type Credentials =
  | { headers: Record<string, string>; version: string; using: string }
  | { failure: Probe };

/** The Authorization header from the GitRepository's Secret, if any. */
async function readCredentials(
  client: ClusterClient,
  namespace: string,
  secretName: string | undefined,
): Promise<Credentials> {
  if (!secretName) {
    return { headers: {}, version: 'none', using: 'without credentials' };
  }
  const using = `with the credentials of Secret ${namespace}/${secretName}`;
  try {
    const secret = await client.readSecret(namespace, secretName);
    const data = secret.data ?? {};
    const text = (k: string) =>
      data[k] ? Buffer.from(data[k], 'base64').toString('utf8') : undefined;
    const bearer = text('bearerToken');
    const username = text('username');
    const password = text('password');
    const headers: Record<string, string> = {};
    if (bearer) {
      headers.Authorization = `Bearer ${bearer}`;
    } else if (username !== undefined || password !== undefined) {
      headers.Authorization = `Basic ${Buffer.from(
        `${username ?? ''}:${password ?? ''}`,
      ).toString('base64')}`;
    }
    return {
      headers,
      version: `${secret.metadata?.uid}/${secret.metadata?.resourceVersion}`,
      using,
    };
  } catch (error) {
    return {
      failure:
        kubernetesErrorCode(error) === 404
          ? {
              ok: false,
              code: 'GIT_AUTH_FAILED',
              detail: `Secret ${namespace}/${secretName} named by spec.secretRef does not exist`,
            }
          : {
              ok: true,
              detail: `Secret not readable (${describeKubernetesError(error)})`,
            },
    };
  }
}

/** Asks the Git host for the ref advertisement, as `git ls-remote` would. */
async function probe(
  url: string,
  headers: Record<string, string>,
  using: string,
): Promise<Probe> {
  let target = `${url.replace(/\/+$/, '')}/info/refs?service=git-upload-pack`;
  // Reports are read by every user: never a password written into the URL.
  const shown = withoutUserinfo(url);
  try {
    // Redirects are followed by hand and only on the same origin: the
    // credentials are for this host, never for one a redirect names.
    let response = await fetch(target, {
      headers,
      redirect: 'manual',
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    for (let hop = 0; hop < MAX_REDIRECTS && isRedirect(response); hop++) {
      await response.body?.cancel();
      const next = new URL(response.headers.get('location') ?? '', target);
      if (next.origin !== new URL(target).origin) {
        return {
          ok: true,
          detail: `${shown} redirects to another host (${next.host}); not followed with credentials`,
        };
      }
      target = next.toString();
      response = await fetch(target, {
        headers,
        redirect: 'manual',
        signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
      });
    }
    await response.body?.cancel();
    if (response.ok) {
      return { ok: true, detail: `${shown} answered ${response.status}` };
    }
    const detail = `GET ${shown}/info/refs ${using} answered ${response.status} ${response.statusText}`;
    if (response.status === 401 || response.status === 403) {
      return { ok: false, code: 'GIT_AUTH_FAILED', detail };
    }
    return { ok: false, code: 'GIT_CLONE_FAILED', detail };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } })
      .cause;
    return {
      ok: false,
      code: 'GIT_CLONE_FAILED',
      detail: `GET ${shown}/info/refs failed: ${
        cause?.code ?? cause?.message ?? (error as Error).message
      }`,
    };
  }
}

/** Runs at most `n` tasks at once. */
function limit(n: number) {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= n) {
      await new Promise<void>(resolve => waiting.push(resolve));
    }
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}
