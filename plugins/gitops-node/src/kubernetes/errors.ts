import { ApiException } from '@kubernetes/client-node';

/** System error codes of a request that never reached the API server. */
const UNREACHABLE_CODES = [
  'ECONNREFUSED',
  'ENOTFOUND',
  'ETIMEDOUT',
  'ECONNRESET',
  'EHOSTUNREACH',
];

/**
 * What the Kubernetes API said, in one line, or why it could not be asked;
 * the API's answer also when wrapped as the `cause` of an error that names
 * the object (the caller names it in its own words).
 *
 * @public
 */
export function describeKubernetesError(error: unknown): string {
  const apiError = causeChain(error).find(e => e instanceof ApiException);
  if (apiError instanceof ApiException) {
    const status = parseStatus(apiError.body);
    return `${apiError.code} ${status?.reason ?? ''}: ${
      status?.message ?? String(apiError.body ?? apiError.message)
    }`.replace(/ +:/, ':');
  }
  // A wrapped timeout keeps its wrapper's message: it names what timed out.
  if (isAbort(error)) {
    return 'cluster did not answer in time (request timed out)';
  }
  if (error instanceof Error) {
    const cause = (error as { cause?: { code?: string; message?: string } })
      .cause;
    const code = (error as { code?: string }).code ?? cause?.code;
    if (code && UNREACHABLE_CODES.includes(code)) {
      // The fetch error names the request (a watch's resourceVersion,
      // say): without it the message is the same for every request that
      // failed the same way, as a page and the logs should show it.
      return `cluster unreachable (${code}): ${(
        cause?.message ?? error.message
      ).replace(/^request to \S+ failed, reason: /, '')}`;
    }
    return error.message;
  }
  return String(error);
}

/**
 * The HTTP status of a Kubernetes API error, if it was one, also when
 * wrapped as the `cause` of a more telling error.
 *
 * @public
 */
export function kubernetesErrorCode(error: unknown): number | undefined {
  const apiError = causeChain(error).find(e => e instanceof ApiException);
  return apiError instanceof ApiException ? apiError.code : undefined;
}

/**
 * Whether a request failed for want of the cluster (no connection, or no
 * answer in time) rather than by the API's answer, also when wrapped as a
 * `cause`.
 *
 * @public
 */
export function isClusterUnreachable(error: unknown): boolean {
  return causeChain(error).some(
    e =>
      isAbort(e) ||
      UNREACHABLE_CODES.includes(
        (e as { code?: unknown } | undefined)?.code as string,
      ),
  );
}

/**
 * Whether a request of a kubeConfigForCluster client was aborted by its
 * timeout, also when wrapped as a `cause`. Only those requests carry a
 * signal, so their abort is the timeout.
 *
 * @public
 */
export function isKubernetesRequestTimeout(error: unknown): boolean {
  return causeChain(error).some(isAbort);
}

// @kubernetes/client-node 1.x fetches with node-fetch 2, which rejects with
// its AbortError whatever the signal's reason; native fetch rejects with a
// DOMException TimeoutError.
function isAbort(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error.name === 'AbortError' || error.name === 'TimeoutError')
  );
}

function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  // A few levels only: a cause may point back at its error.
  for (
    let current = error;
    current !== undefined && current !== null && chain.length < 5;
    current = (current as { cause?: unknown }).cause
  ) {
    chain.push(current);
  }
  return chain;
}

interface KubernetesStatus {
  reason?: string;
  message?: string;
}

function parseStatus(body: unknown): KubernetesStatus | undefined {
  if (typeof body === 'string') {
    try {
      return JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  return body && typeof body === 'object'
    ? (body as KubernetesStatus)
    : undefined;
}
