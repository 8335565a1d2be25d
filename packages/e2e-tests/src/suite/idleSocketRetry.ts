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
      if (!closedBeforeAnswer(error) || !canResend(input, init)) {
        throw error;
      }
      return fetchImpl(input, init);
    }
  };
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
