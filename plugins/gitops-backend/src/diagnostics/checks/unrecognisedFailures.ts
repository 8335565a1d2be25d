import { LoggerService } from '@backstage/backend-plugin-api';
import {
  MetricsService,
  MetricsServiceCounter,
} from '@backstage/backend-plugin-api/alpha';
import { HealthFinding } from '@gitops-backstage/plugin-gitops-common';

/**
 * Failures no classification rule recognised: each is logged with Flux's
 * reason and counted per kind and reason, in the log ("Unrecognised Flux
 * failure") and as the metric `gitops.diagnostics.unrecognised_failures`,
 * so gaps in the rules show up in production.
 */
export class UnrecognisedFailures {
  private readonly counts = new Map<string, number>();
  private readonly counter?: MetricsServiceCounter;

  constructor(
    private readonly logger?: LoggerService,
    metrics?: MetricsService,
  ) {
    this.counter = metrics?.createCounter(
      'gitops.diagnostics.unrecognised_failures',
      {
        description:
          'Failing Flux objects no diagnosis rule recognised, per health run',
      },
    );
  }

  /** Logs and counts the unrecognised sync findings of one run; returns how many. */
  record(cluster: string, findings: HealthFinding[]): number {
    const unknown = findings.filter(f => f.basis === 'unrecognised');
    for (const f of unknown) {
      const reason = /reason ([^\s:]+)/.exec(f.evidence)?.[1] ?? '-';
      const key = `${f.object?.kind}/${reason}`;
      const total = (this.counts.get(key) ?? 0) + 1;
      this.counts.set(key, total);
      this.counter?.add(1, {
        cluster,
        kind: f.object?.kind ?? '-',
        reason,
      });
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
