import { InputError } from '@backstage/errors';
import { z } from 'zod/v3';

/**
 * Parses an action's input with its zod schema, applying defaults. A failure
 * becomes an InputError naming each offending field, e.g.
 * `environments.2.name: Invalid enum value`.
 */
export function parseActionInput<T extends z.ZodTypeAny>(
  schema: T,
  input: unknown,
): z.output<T> {
  const result = schema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map(
      issue => `${issue.path.join('.') || 'input'}: ${issue.message}`,
    );
    throw new InputError(`Invalid input: ${problems.join('; ')}`);
  }
  return result.data;
}
