import { ApiException } from '@kubernetes/client-node';

/** What the Kubernetes API said, in one line, or why it could not be asked. */
export function describeKubernetesError(error: unknown): string {
  if (error instanceof ApiException) {
    const status = parseStatus(error.body);
    return `${error.code} ${status?.reason ?? ''}: ${
      status?.message ?? String(error.body ?? error.message)
    }`.replace(/ +:/, ':');
  }
  if (
    error instanceof Error &&
    (error.name === 'AbortError' || error.name === 'TimeoutError')
  ) {
    return 'cluster did not answer in time (request timed out)';
  }
  if (error instanceof Error) {
    const cause = (error as { cause?: { code?: string; message?: string } })
      .cause;
    const code = (error as { code?: string }).code ?? cause?.code;
    if (
      code &&
      [
        'ECONNREFUSED',
        'ENOTFOUND',
        'ETIMEDOUT',
        'ECONNRESET',
        'EHOSTUNREACH',
      ].includes(code)
    ) {
      return `cluster unreachable (${code}): ${
        cause?.message ?? error.message
      }`;
    }
    return error.message;
  }
  return String(error);
}

/** The HTTP status of a Kubernetes API error, if it was one. */
export function kubernetesErrorCode(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
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
