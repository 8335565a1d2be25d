import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import {
  FluxResource,
  HealthFinding,
  LABEL_KUBERNETES_ID,
  syncState,
} from '@gitops-backstage/plugin-gitops-common';
import {
  describeKubernetesError,
  kubernetesErrorCode,
} from '@gitops-backstage/plugin-gitops-node';
import { CheckOutcome, outcome, refOf } from './types';

const PROBE_TIMEOUT_MS = 5000;
const PROBE_CONCURRENCY = 8;

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
  config: KubeConfig,
  repositories: FluxResource[],
): Promise<CheckOutcome> {
  const core = config.makeApiClient(CoreV1Api);
  const probes = new Map<string, Promise<Probe>>();
  const queue = limit(PROBE_CONCURRENCY);
  const findings: HealthFinding[] = [];
  let probed = 0;
  let skipped = 0;

  const results = await Promise.all(
    repositories.map(async repo => {
      const url = repo.spec?.url ?? '';
      if (!/^https?:\/\//.test(url)) {
        skipped++;
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
          queue(() => probe(core, url, namespace, secretName)),
        );
      }
      return { repo, result: await probes.get(key)!, secretName };
    }),
  );

  for (const entry of results) {
    if (!entry || entry.result.ok) continue;
    const { repo, result, secretName } = entry;
    const ready = repo.status?.conditions?.find(c => c.type === 'Ready');
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
                secretName ?? '<name>'
              } --from-literal=username=<user> --from-literal=password=<token> --dry-run=client -o yaml | kubectl apply -f -`,
              `flux -n ${repo.metadata.namespace} reconcile source git ${repo.metadata.name}`,
            ]
          : [
              `git ls-remote ${repo.spec?.url}`,
              `kubectl -n ${repo.metadata.namespace} patch gitrepository ${repo.metadata.name} --type merge -p '{"spec":{"url":"<correct url>"}}'`,
            ],
      repair:
        result.code === 'GIT_AUTH_FAILED' && secretName
          ? {
              type: 'refresh-git-credentials',
              title:
                'Refresh the Git credentials from the Backstage integration',
              target: refOf(repo),
            }
          : undefined,
    });
  }
  const failing = repositories.filter(r => syncState(r) === 'Failed').length;
  return outcome(
    findings,
    `${
      repositories.length
    } GitRepositories, ${failing} failing; ${probed} distinct repositories answered with their credentials${
      skipped ? `; ${skipped} SSH URL(s) not probed` : ''
    }`,
  );
}

async function probe(
  core: CoreV1Api,
  url: string,
  namespace: string,
  secretName: string | undefined,
): Promise<Probe> {
  const headers: Record<string, string> = {};
  const using = secretName
    ? `with the credentials of Secret ${namespace}/${secretName}`
    : 'without credentials';
  if (secretName) {
    try {
      const secret = await core.readNamespacedSecret({
        name: secretName,
        namespace,
      });
      const data = secret.data ?? {};
      const text = (k: string) =>
        data[k] ? Buffer.from(data[k], 'base64').toString('utf8') : undefined;
      const bearer = text('bearerToken');
      const username = text('username');
      const password = text('password');
      if (bearer) {
        headers.Authorization = `Bearer ${bearer}`;
      } else if (username !== undefined || password !== undefined) {
        headers.Authorization = `Basic ${Buffer.from(
          `${username ?? ''}:${password ?? ''}`,
        ).toString('base64')}`;
      }
    } catch (error) {
      return kubernetesErrorCode(error) === 404
        ? {
            ok: false,
            code: 'GIT_AUTH_FAILED',
            detail: `Secret ${namespace}/${secretName} named by spec.secretRef does not exist`,
          }
        : {
            ok: true,
            detail: `Secret not readable (${describeKubernetesError(error)})`,
          };
    }
  }
  const infoRefs = `${url.replace(
    /\/+$/,
    '',
  )}/info/refs?service=git-upload-pack`;
  try {
    const response = await fetch(infoRefs, {
      headers,
      redirect: 'follow',
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    await response.body?.cancel();
    if (response.ok) {
      return { ok: true, detail: `${url} answered ${response.status}` };
    }
    const detail = `GET ${url}/info/refs ${using} answered ${response.status} ${response.statusText}`;
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
      detail: `GET ${url}/info/refs failed: ${
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
