import { FluxObject } from '../stack/kube';
import { apiVersionOf, CorpusContext } from './scenario';

// Whether a provoked failure has settled, read from the object's conditions.

export const condition = (o: FluxObject, type: string) =>
  o.status?.conditions?.find(c => c.type === type);
export const readyFalse = (o: FluxObject) =>
  condition(o, 'Ready')?.status === 'False';
export const reasonIs =
  (...reasons: string[]) =>
  (o: FluxObject) =>
    readyFalse(o) && reasons.includes(condition(o, 'Ready')?.reason ?? '');
export const helmGaveUp = (o: FluxObject) =>
  readyFalse(o) && condition(o, 'Stalled')?.status === 'True';
/** Failed at least once and retrying: remediation retries left, not stalled. */
export const helmRetrying = (o: FluxObject) =>
  readyFalse(o) &&
  (o.status?.installFailures ?? 0) >= 1 &&
  condition(o, 'Reconciling')?.status === 'True' &&
  condition(o, 'Stalled')?.status !== 'True';
export const helmFailed = (o: FluxObject) =>
  helmGaveUp(o) ||
  (readyFalse(o) && /Failed$/.test(condition(o, 'Ready')?.reason ?? ''));

/** Waits for a scenario's first, healthy step before it breaks it. */
export async function waitReady(
  ctx: CorpusContext,
  kind: string,
  name: string,
) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const o = await ctx.cluster.read<FluxObject>(
      apiVersionOf[kind],
      kind,
      ctx.namespace,
      name,
    );
    if (condition(o, 'Ready')?.status === 'True') {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(`${kind} ${name} never became Ready`);
    }
    await new Promise(resolve => setTimeout(resolve, 1000));
  }
}
