/**
 * Node's fetch keeps sockets alive between requests; a server closes an
 * idle one after its keep-alive timeout, and on busy cores the client can
 * write the next request into a socket the server has just closed. That
 * request was never read, so it is sent once more on a new socket.
 */
export function retryingIdleSocket(fetchImpl: typeof fetch): typeof fetch {
  return async (input, init) => {
    try {
      return await fetchImpl(input, init);
    } catch (error) {
      if (
        !(closedBeforeAnswer(error) && canResend(input, init)) &&
        !(resetWhileReading(error) && isRead(init))
      ) {
        throw withCause(error);
      }
      return fetchImpl(input, init).catch(again => {
        throw withCause(again);
      });
    }
  };
}

/**
 * A reset socket: the server may have read the request, so only a read
 * (GET, HEAD) is sent again.
 */
function resetWhileReading(error: unknown): boolean {
  const { name, cause } = (error ?? {}) as {
    name?: string;
    cause?: { code?: string };
  };
  return name === 'TypeError' && cause?.code === 'ECONNRESET';
}

function isRead(init?: RequestInit): boolean {
  const method = (init?.method ?? 'GET').toUpperCase();
  return method === 'GET' || method === 'HEAD';
}

/** "fetch failed" says nothing: the cause's code and message go with it. */
function withCause(error: unknown): unknown {
  const cause = (error as { cause?: { code?: string; message?: string } })
    ?.cause;
  if (typeof error === 'object' && error !== null && cause) {
    (error as { message: string }).message += ` (${cause.code ?? ''} ${
      cause.message ?? ''
    })`;
  }
  return error;
}

/**
 * By name, not instanceof: Node's fetch throws from its own realm, and a
 * Jest test runs in another, where its TypeError is a different class.
 */
function closedBeforeAnswer(error: unknown): boolean {
  const { name, cause } = (error ?? {}) as {
    name?: string;
    cause?: { code?: string; message?: string };
  };
  return (
    name === 'TypeError' &&
    cause?.code === 'UND_ERR_SOCKET' &&
    cause.message === 'other side closed'
  );
}

/** A body that can be sent twice: none, a string or bytes. */
function canResend(input: unknown, init?: RequestInit): boolean {
  const body = init?.body;
  return (
    !(input instanceof Request) &&
    (body === undefined ||
      body === null ||
      typeof body === 'string' ||
      body instanceof Uint8Array)
  );
}
