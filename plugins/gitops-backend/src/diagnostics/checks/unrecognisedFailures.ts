import { LoggerService } from '@backstage/backend-plugin-api';
import { HealthFinding } from '@gitops-backstage/plugin-gitops-common';

/**
 * Failures no classification rule recognised: each is logged with Flux's
 * reason and counted per kind and reason, so gaps in the rules show up in
 * production logs (search for "Unrecognised Flux failure").
 */
export class UnrecognisedFailures {
  private readonly counts = new Map<string, number>();

  constructor(private readonly logger?: LoggerService) {}

  /** Logs and counts the unrecognised sync findings of one run; returns how many. */
  record(cluster: string, findings: HealthFinding[]): number {
    const unknown = findings.filter(f => f.basis === 'unrecognised');
    for (const f of unknown) {
      const reason = /reason ([^\s:]+)/.exec(f.evidence)?.[1] ?? '-';
      const key = `${f.object?.kind}/${reason}`;
      const total = (this.counts.get(key) ?? 0) + 1;
      this.counts.set(key, total);
      this.logger?.warn('Unrecognised Flux failure', {
        cluster,
        kind: f.object?.kind,
        namespace: f.object?.namespace,
        name: f.object?.name,
        reason,
        evidence: f.evidence.slice(0, 500),
        countForKindAndReason: total,
      });
    }
    return unknown.length;
  }

  /** Counts since start, by `<kind>/<reason>`. */
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }
}
