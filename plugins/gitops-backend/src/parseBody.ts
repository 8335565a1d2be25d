import express from 'express';
import { InputError } from '@backstage/errors';
import { z } from 'zod/v3';

/** Parses a request body, or answers 400 naming each wrong field. */
export function parseBody<T extends z.ZodTypeAny>(
  schema: T,
  body: unknown,
): z.output<T> {
  const result = schema.safeParse(body ?? {});
  if (!result.success) {
    throw new InputError(
      `Invalid request body: ${result.error.issues
        .map(i => `${i.path.join('.') || 'body'}: ${i.message}`)
        .join('; ')}`,
    );
  }
  return result.data;
}

/** Request bodies are small; a larger one is refused with a 400. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * express.json with the size limit answered as a 400 that says so. A body
 * of another content type is refused too: express.json would skip it, and
 * the route would act as if no body had been sent.
 */
export function jsonBody(): express.RequestHandler {
  const parse = express.json({ limit: MAX_BODY_BYTES });
  return (req, res, next) => {
    if (hasBody(req) && !req.is('application/json')) {
      next(
        new InputError(
          `Invalid request body: Content-Type must be application/json, not ${
            req.headers['content-type'] ?? 'missing'
          }`,
        ),
      );
      return;
    }
    parse(req, res, (error?: any) => {
      if (error?.type === 'entity.too.large') {
        next(
          new InputError(
            `Invalid request body: larger than ${MAX_BODY_BYTES / 1024} KiB`,
          ),
        );
      } else if (error?.type === 'entity.parse.failed') {
        next(
          new InputError(`Invalid request body: not JSON (${error.message})`),
        );
      } else {
        next(error);
      }
    });
  };
}

/** Whether the request carries a body (an empty one does not count). */
function hasBody(req: express.Request): boolean {
  const length = req.headers['content-length'];
  return (
    req.headers['transfer-encoding'] !== undefined ||
    (length !== undefined && length !== '0')
  );
}

/**
 * A whole number in a query parameter, as its one string: `limit=5`, never
 * `limit[]=5` (an array Number() would turn into 5).
 */
export function queryInteger(min: number, max: number) {
  return z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
}
