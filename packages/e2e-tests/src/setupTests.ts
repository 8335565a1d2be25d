import { retryingIdleSocket } from './suite/idleSocketRetry';

// CI lost a test to a request written into a keep-alive socket the
// portal had just closed (undici: "other side closed").
globalThis.fetch = retryingIdleSocket(globalThis.fetch.bind(globalThis));
