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
  // Only where the image automation controllers are installed.
  'image-reflector-controller': [
    {
      flag: '--no-cross-namespace-refs',
      kind: 'on',
      why: 'an ImagePolicy may use an ImageRepository of another namespace',
    },
  ],
  'image-automation-controller': [
    {
      flag: '--no-cross-namespace-refs',
      kind: 'on',
      why: 'an ImageUpdateAutomation may push with a GitRepository of another namespace',
    },
  ],
};

/** The lockdown flags that take a value (their next arg is not a flag). */
const VALUE_FLAGS = new Set(
  Object.values(LOCKDOWN)
    .flat()
    .filter(rule => rule.kind === 'value')
    .map(rule => rule.flag),
);

/**
 * The value a flag gets from a container's args as Flux's flag parser
 * (spf13/pflag) reads them: `--flag=value`; `--flag value` for a flag that
 * takes a value, whatever the next arg looks like; a boolean alone is
 * true; the last one wins; nothing after `--` is a flag. Other flags are
 * taken to be written `--flag=value`, as Flux's manifests write them.
 */
export function flagValue(
  args: string[],
  flag: string,
  boolean = false,
): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      break;
    }
    if (arg.startsWith(`${flag}=`)) {
      value = arg.slice(flag.length + 1);
    } else if (arg === flag && boolean) {
      value = 'true';
    } else if (arg === flag || VALUE_FLAGS.has(arg)) {
      // The next arg is this flag's value, not a flag of its own.
      if (arg === flag) value = args[i + 1];
      i++;
    }
  }
  return value;
}

/** Go's strconv.ParseBool, which pflag uses for boolean flags. */
function isTrue(value: string | undefined): boolean {
  return ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value ?? '');
}

function unmet(args: string[], rule: { flag: string; kind: 'on' | 'value' }) {
  return rule.kind === 'on'
    ? !isTrue(flagValue(args, rule.flag, true))
    : !flagValue(args, rule.flag);
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
    const containers = deployment?.spec?.template.spec?.containers ?? [];
    const index = Math.max(
      containers.findIndex(c => c.name === 'manager'),
      0,
    );
    const container = containers[index];
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
        ...(missing.some(r => r.flag === '--default-service-account')
          ? [
              `# objects that name no ServiceAccount then apply as their namespace's default one: give flux-system's own Kustomization serviceAccountName: kustomize-controller (and other platform-owned objects theirs) first`,
            ]
          : []),
        ...wanted.map(
          arg =>
            `kubectl -n ${fluxNamespace} patch deployment ${name} --type=json -p '[{"op":"add","path":"/spec/template/spec/containers/${index}/args/-","value":"${arg}"}]'`,
        ),
      ],
    });
  }
  return findings;
}
