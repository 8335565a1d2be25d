import { Config } from '@backstage/config';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { KubernetesObjectApi } from '@kubernetes/client-node';
import { z } from 'zod/v3';
import {
  FLUX_DURATION,
  FLUX_KIND,
  fluxApiVersion,
  FluxResource,
  parseDuration,
  sourceRefOf,
} from '@gitops-backstage/plugin-gitops-common';
import { describeKubernetesError } from '@gitops-backstage/plugin-gitops-node';
import { clusterClient } from '../flux/clusterClient';
import { assessReadiness, Readiness } from '../flux/readiness';
import { examples } from './waitForFlux.examples';
import { parseActionInput } from './parseActionInput';

const inputSchema = z.object({
  environments: z
    .array(
      z
        .object({
          name: z.string(),
          cluster: z.string().optional(),
          workload: z.object({
            apiVersion: z.string(),
            kind: z.enum([FLUX_KIND.Kustomization, FLUX_KIND.HelmRelease]),
            namespace: z.string(),
            name: z.string(),
            suspended: z.boolean().default(false),
          }),
        })
        // The rest of gitops:flux:create's output is not needed here.
        .passthrough(),
    )
    .min(1, 'must name at least one environment')
    .describe('The environments output of gitops:flux:create'),
  revision: z
    .string()
    // A refinement, not a pattern: a dry run passes example outputs.
    .refine(sha => /^[0-9a-f]{7,40}$/.test(sha), 'must be a commit sha')
    .optional()
    .describe('Commit that must be applied, e.g. the publish step commitHash'),
  timeout: z
    .string()
    .regex(FLUX_DURATION, 'must be a duration like 30s, 5m or 1h')
    .default('5m'),
  pollInterval: z
    .number()
    .int()
    .min(100)
    .default(1000)
    .describe('Milliseconds between status reads'),
});

const outputSchema = z.object({
  environments: z.array(
    z.object({
      name: z.string(),
      state: z.enum(['ready', 'failed', 'suspended', 'timeout']),
      revision: z.string().optional(),
      reason: z.string().optional(),
      message: z.string().optional(),
      code: z.string().optional(),
      /** The portal's health page, narrowed to this error code. */
      findingUrl: z.string().optional(),
    }),
  ),
});

type EnvironmentOutcome = z.infer<typeof outputSchema>['environments'][number];

/**
 * Creates the `gitops:flux:wait` action: waits until every environment's
 * Kustomization or HelmRelease is Ready at the pushed revision, failing
 * early with Flux's reason and the diagnostic error code.
 *
 * @public
 */
export function createWaitForFluxAction(options: { config: Config }) {
  return createTemplateAction({
    id: 'gitops:flux:wait',
    description:
      'Waits until each environment is Ready at the pushed revision; fails naming the environment, the Flux reason and the error code',
    examples,
    supportsDryRun: true,
    schema: {
      input: () => inputSchema,
      output: () => outputSchema,
    },
    async handler(ctx) {
      if (ctx.isDryRun) {
        ctx.logger.info(
          `Would wait for ${ctx.input.environments
            .map(e => e.name)
            .join(', ')} to be Ready at ${
            ctx.input.revision ?? 'their revision'
          }`,
        );
        ctx.output('environments', []);
        return;
      }
      const input = parseActionInput(inputSchema, ctx.input);
      // The schema accepts only Flux durations.
      const deadline = Date.now() + (parseDuration(input.timeout) ?? 0);
      const clients = new Map<string | undefined, KubernetesObjectApi>();
      const clientFor = (cluster?: string) => {
        if (!clients.has(cluster)) {
          clients.set(cluster, clusterClient(options.config, cluster).objects);
        }
        return clients.get(cluster)!;
      };

      const outcomes = await Promise.all(
        input.environments.map(async (env): Promise<EnvironmentOutcome> => {
          const log = (line: string) =>
            ctx.logger.info(`[${env.name}] ${line}`);
          const { workload } = env;
          const label = `${workload.kind} ${workload.namespace}/${workload.name}`;
          if (workload.suspended) {
            log(`${label} is suspended (auto-sync off): not waiting`);
            return { name: env.name, state: 'suspended' };
          }
          const client = clientFor(env.cluster);
          let last = '';
          let lastReadiness: Readiness | undefined;
          let lastError: string | undefined;
          while (Date.now() < deadline && !ctx.signal?.aborted) {
            try {
              const object = await client.read<FluxResource>({
                apiVersion: workload.apiVersion,
                kind: workload.kind,
                metadata: {
                  name: workload.name,
                  namespace: workload.namespace,
                },
              });
              const sourceRef = sourceRefOf(object);
              const source =
                sourceRef?.kind === FLUX_KIND.GitRepository
                  ? await client.read<FluxResource>({
                      apiVersion: fluxApiVersion(FLUX_KIND.GitRepository),
                      kind: FLUX_KIND.GitRepository,
                      metadata: {
                        name: sourceRef.name,
                        namespace: sourceRef.namespace,
                      },
                    })
                  : undefined;
              const readiness = assessReadiness(object, source, input.revision);
              lastReadiness = readiness;
              lastError = undefined;
              if (readiness.state === 'ready') {
                log(`${label} Ready at ${readiness.revision}`);
                return {
                  name: env.name,
                  state: 'ready',
                  revision: readiness.revision,
                };
              }
              if (readiness.state === 'failed') {
                log(
                  `${readiness.kind} ${readiness.name} failed: ${readiness.reason}: ${readiness.message} [${readiness.code}]`,
                );
                return {
                  name: env.name,
                  state: 'failed',
                  reason: readiness.reason,
                  message: `${readiness.kind} ${readiness.name}: ${readiness.message}. ${readiness.cause} Fix: ${readiness.fix}`,
                  code: readiness.code,
                };
              }
              const line = `${label} waiting: ${readiness.reason}: ${readiness.message}`;
              if (line !== last) {
                log(line);
                last = line;
              }
            } catch (error) {
              lastError = describeKubernetesError(error);
              if (lastError !== last) {
                log(`reading ${label}: ${lastError}`);
                last = lastError;
              }
            }
            await new Promise(resolve =>
              setTimeout(resolve, input.pollInterval),
            );
          }
          const detail =
            lastError ??
            (lastReadiness?.state === 'waiting'
              ? `${lastReadiness.reason}: ${lastReadiness.message}`
              : 'no status');
          log(`timed out after ${input.timeout}: ${detail}`);
          return {
            name: env.name,
            state: 'timeout',
            reason:
              lastReadiness?.state === 'waiting'
                ? lastReadiness.reason
                : undefined,
            message: `${label} not Ready at ${
              input.revision ?? 'its revision'
            } after ${input.timeout}: ${detail}`,
            code: lastError?.startsWith('cluster unreachable')
              ? 'CLUSTER_UNREACHABLE'
              : 'TIMEOUT',
          };
        }),
      );

      const appBaseUrl = options.config
        .getOptionalString('app.baseUrl')
        ?.replace(/\/+$/, '');
      for (const outcome of outcomes) {
        if (outcome.code && appBaseUrl) {
          outcome.findingUrl = `${appBaseUrl}/gitops/health?code=${outcome.code}`;
        }
      }
      ctx.output('environments', outcomes);
      const bad = outcomes.filter(
        o => o.state === 'failed' || o.state === 'timeout',
      );
      if (bad.length > 0) {
        throw new Error(
          [
            `${bad.length} of ${outcomes.length} environment(s) are not Ready:`,
            ...bad.map(
              o =>
                `- ${o.name}: [${o.code}] ${o.reason ? `${o.reason}: ` : ''}${
                  o.message
                }${o.findingUrl ? ` (see ${o.findingUrl})` : ''}`,
            ),
          ].join('\n'),
        );
      }
    },
  });
}
