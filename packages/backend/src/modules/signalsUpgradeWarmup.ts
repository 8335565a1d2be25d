import {
  coreServices,
  createBackendModule,
  LoggerService,
} from '@backstage/backend-plugin-api';
import http from 'node:http';

/**
 * The signals backend starts listening for WebSocket upgrades only when the
 * first upgrade request passes through its router, and leaves that first
 * request unanswered. The first page opened after each backend start then
 * gets no live updates until its client gives up and reconnects (about 6 s).
 * One upgrade request of our own at startup takes that hit instead.
 */
export default createBackendModule({
  pluginId: 'signals',
  moduleId: 'upgrade-warmup',
  register(env) {
    env.registerInit({
      deps: {
        lifecycle: coreServices.rootLifecycle,
        discovery: coreServices.discovery,
        logger: coreServices.logger,
      },
      async init({ lifecycle, discovery, logger }) {
        lifecycle.addStartupHook(() => {
          discovery
            .getBaseUrl('signals')
            .then(url => sendUpgradeRequest(new URL(url), logger))
            .catch(error =>
              logger.warn(`signals upgrade warm-up failed: ${error}`),
            );
        });
      },
    });
  },
});

const ATTEMPTS = 20;
const ANSWER_WAIT_MS = 1000;

/** Sends one upgrade request and drops it; retries while nothing listens yet. */
async function sendUpgradeRequest(url: URL, logger: LoggerService) {
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const reached = await new Promise<boolean>(resolve => {
      const request = http.request({
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        headers: {
          Connection: 'Upgrade',
          Upgrade: 'websocket',
          'Sec-WebSocket-Version': '13',
          'Sec-WebSocket-Key':
            Buffer.from('gitops-warmup-key').toString('base64'),
        },
      });
      // The request reached the server once its socket connected; the first
      // one is never answered, so stop waiting after a moment.
      request.on('socket', socket =>
        socket.on('connect', () =>
          setTimeout(() => {
            request.destroy();
            resolve(true);
          }, ANSWER_WAIT_MS),
        ),
      );
      request.on('upgrade', (_response, socket) => {
        socket.destroy();
        resolve(true);
      });
      request.on('response', response => {
        response.resume();
        resolve(true);
      });
      request.on('error', () => resolve(false));
      request.end();
    });
    if (reached) {
      logger.debug('signals upgrade warm-up sent');
      return;
    }
    await new Promise(resolve => setTimeout(resolve, 500));
  }
  logger.warn(`signals upgrade warm-up: ${url} did not answer`);
}
