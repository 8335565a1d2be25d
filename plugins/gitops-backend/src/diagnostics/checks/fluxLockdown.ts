import { HealthFinding } from '@gitops-backstage/plugin-gitops-common';
import { V1Deployment } from '@kubernetes/client-node';

/**
 * Flux's multi-tenancy lockdown flags, per controller: what keeps one
 * team's objects from using another namespace's sources or the
 * controller's own cluster-wide rights. The portal's tenancy stands on them.
 */
const LOCKDOWN: Record<
  string,
  Array<{ flag: string; kind: 'on' | 'value'; why: string }>
> = {
  'kustomize-controller': [
    {
      flag: '--default-service-account',
      kind: 'value',
      why: 'a Kustomization without spec.serviceAccountName applies with the controller’s cluster-wide rights (a namespace admin may create one: Flux’s edit role is part of admin)',
    },
    {
      flag: '--no-cross-namespace-refs',
      kind: 'on',
      why: 'a Kustomization may use a source of another namespace',
    },
    {
      flag: '--no-remote-bases',
      kind: 'on',
      why: 'kustomize may fetch bases from outside the source artifact',
    },
  ],
  'helm-controller': [
    {
      flag: '--default-service-account',
      kind: 'value',
      why: 'a HelmRelease without spec.serviceAccountName installs with the controller’s cluster-wide rights',
    },
    {
      flag: '--no-cross-namespace-refs',
      kind: 'on',
      why: 'a HelmRelease may use a chart source of another namespace',
    },
  ],
  'notification-controller': [
    {
      flag: '--no-cross-namespace-refs',
      kind: 'on',
      why: 'an Alert or Receiver may refer to objects of another namespace',
    },
  ],
};

/**
 * The value a Go flag gets from a container's args, if it is set (the last
 * occurrence wins, as with Go's flag packages; a boolean flag takes no
 * separate value).
 */
export function flagValue(
  args: string[],
  flag: string,
  boolean = false,
): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i].replace(/^--?/, '--');
    if (arg.startsWith(`${flag}=`)) {
      value = arg.slice(flag.length + 1);
    } else if (arg === flag) {
      const next = args[i + 1];
      value =
        !boolean && next !== undefined && !next.startsWith('-') ? next : 'true';
    }
  }
  return value;
}

function unmet(args: string[], rule: { flag: string; kind: 'on' | 'value' }) {
  const value = flagValue(args, rule.flag, rule.kind === 'on');
  return rule.kind === 'on' ? value !== 'true' : !value;
}

/**
 * A warning per Flux controller whose Deployment runs without the
 * lockdown flags (read from its container args).
 */
export function lockdownFindings(
  cluster: string,
  fluxNamespace: string,
  deployments: V1Deployment[],
): HealthFinding[] {
  const findings: HealthFinding[] = [];
  for (const [name, rules] of Object.entries(LOCKDOWN)) {
    const deployment = deployments.find(d => d.metadata?.name === name);
    const container =
      deployment?.spec?.template.spec?.containers.find(
        c => c.name === 'manager',
      ) ?? deployment?.spec?.template.spec?.containers[0];
    if (!container) {
      continue;
    }
    const args = [...(container.command ?? []), ...(container.args ?? [])];
    const missing = rules.filter(rule => unmet(args, rule));
    if (missing.length === 0) {
      continue;
    }
    const wanted = missing.map(r =>
      r.kind === 'on' ? `${r.flag}=true` : `${r.flag}=default`,
    );
    findings.push({
      code: 'FLUX_LOCKDOWN_OFF',
      severity: 'warning',
      check: 'flux',
      cluster,
      object: { kind: 'Deployment', namespace: fluxNamespace, name },
      evidence: `Deployment ${fluxNamespace}/${name} runs without ${missing
        .map(r => r.flag)
        .join(', ')}`,
      cause: `Teams sharing this cluster are not kept apart by Flux: ${missing
        .map(r => r.why)
        .join('; ')}.`,
      fix: [
        `# add ${wanted.join(
          ' ',
        )} to the controller's args (with flux bootstrap: as a patch in flux-system/kustomization.yaml, or the next sync reverts it)`,
        ...wanted.map(
          arg =>
            `kubectl -n ${fluxNamespace} patch deployment ${name} --type=json -p '[{"op":"add","path":"/spec/template/spec/containers/0/args/-","value":"${arg}"}]'`,
        ),
      ],
    });
  }
  return findings;
}
