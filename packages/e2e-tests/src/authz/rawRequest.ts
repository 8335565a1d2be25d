import http from 'node:http';
import { backendUrl } from '../portal/portalApi';

/**
 * Sends a request as written: any method with any body, the path byte for
 * byte (fetch would normalize `..` and refuse a body on GET).
 */
export function rawRequest(options: {
  method: string;
  path: string;
  authorization?: string;
  contentType?: string;
  body?: string;
}): Promise<{ status: number; text: string }> {
  const url = new URL(backendUrl);
  const body =
    options.body !== undefined ? Buffer.from(options.body) : undefined;
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: options.method,
        path: options.path,
        headers: {
          ...(options.authorization
            ? { Authorization: options.authorization }
            : {}),
          ...(options.contentType
            ? { 'Content-Type': options.contentType }
            : {}),
          ...(body ? { 'Content-Length': body.length } : {}),
        },
        timeout: 30_000,
      },
      response => {
        const chunks: Buffer[] = [];
        response.on('data', chunk => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('timeout', () =>
      request.destroy(new Error(`${options.method} ${options.path} timed out`)),
    );
    request.on('error', reject);
    request.end(body);
  });
}

/**
 * Runs `work` on every item, at most `size` at a time: the next starts as
 * soon as one ends, so one slow item does not hold the others back.
 * Results are in the items' order.
 */
export async function inParallel<T, R>(
  items: T[],
  size: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, lane));
  return results;
}
