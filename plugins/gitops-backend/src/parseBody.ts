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

/** express.json with the size limit answered as a 400 that says so. */
export function jsonBody(): express.RequestHandler {
  const parse = express.json({ limit: MAX_BODY_BYTES });
  return (req, res, next) =>
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
}
