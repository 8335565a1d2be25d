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
    const problems = result.error.issues
      .flatMap(explainUnion)
      .map(issue => `${issue.path.join('.') || 'input'}: ${issue.message}`);
    throw new InputError(`Invalid input: ${problems.join('; ')}`);
  }
  return result.data;
}

// A value that matches no member of a union (say, a name or an object)
// would only say "Invalid input"; report the member that came closest,
// the one whose problems are not about the value's type.
function explainUnion(issue: z.ZodIssue): z.ZodIssue[] {
  if (issue.code !== 'invalid_union') {
    return [issue];
  }
  const candidates = issue.unionErrors.map(error =>
    error.issues.flatMap(explainUnion),
  );
  const closest = candidates.find(issues =>
    issues.every(
      i => i.code !== 'invalid_type' || i.path.length > issue.path.length,
    ),
  );
  return closest ?? [issue];
}
