/**
 * The condition of a type (`Ready`, `Stalled`, `Reconciling`, ...) of a
 * Flux object or a workload, as its controller last wrote it.
 *
 * @public
 */
export function conditionOfType<C extends { type: string }>(
  object: { status?: { conditions?: C[] } } | undefined,
  type: string,
): C | undefined {
  return object?.status?.conditions?.find(c => c.type === type);
}
