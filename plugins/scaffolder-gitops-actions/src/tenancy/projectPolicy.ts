import { Config } from '@backstage/config';
import { DNS1123_LABEL } from '@gitops-backstage/plugin-gitops-common';

/**
 * Where a platform lets projects live (`gitops.projects` in the config).
 */
export interface ProjectPolicy {
  /** Namespace of each environment; `{id}` and `{env}` are replaced. */
  namespacePattern: string;
  /** Namespaces no project may use; `*` matches any characters. */
  protectedNamespaces: string[];
  /** Whether a template may choose namespaces (pattern or per environment). */
  allowNamespaceOverrides: boolean;
}

export const DEFAULT_NAMESPACE_PATTERN = 'project-{id}-{env}';
const DEFAULT_PROTECTED = ['kube-*', 'flux-system', 'default', 'backstage'];

export function readProjectPolicy(config: Config): ProjectPolicy {
  // Flux's own namespace is protected whatever the list says.
  const fluxNamespace =
    config.getOptionalString('gitops.fluxNamespace') ?? 'flux-system';
  const configured = config.getOptionalStringArray(
    'gitops.projects.protectedNamespaces',
  );
  return {
    namespacePattern:
      config.getOptionalString('gitops.projects.namespacePattern') ??
      DEFAULT_NAMESPACE_PATTERN,
    protectedNamespaces: [
      ...(configured ?? DEFAULT_PROTECTED),
      fluxNamespace,
    ],
    allowNamespaceOverrides:
      config.getOptionalBoolean('gitops.projects.allowNamespaceOverrides') ??
      false,
  };
}

export function renderNamespace(
  pattern: string,
  id: string,
  env: string,
): string {
  return pattern.replace(/\{id\}/g, id).replace(/\{env\}/g, env);
}

/** The protected entry a namespace matches, if any. */
export function protectedMatch(
  namespace: string,
  policy: ProjectPolicy,
): string | undefined {
  return policy.protectedNamespaces.find(entry =>
    new RegExp(
      `^${entry
        .split('*')
        .map(part => part.replace(/[.+?^${}()|[\]\\-]/g, '\\$&'))
        .join('.*')}$`,
    ).test(namespace),
  );
}

/** Why a template may not choose its own namespaces, naming `field`. */
export function overrideProblem(field: string, policy: ProjectPolicy): string {
  return `${field}: namespaces follow the platform's pattern '${policy.namespacePattern}' (gitops.projects.allowNamespaceOverrides is off)`;
}

/**
 * Why a project may not use `namespace` (not a DNS-1123 label, or
 * protected), naming `field`; undefined if it may.
 */
export function namespaceProblem(
  namespace: string,
  field: string,
  policy: ProjectPolicy,
): string | undefined {
  if (!DNS1123_LABEL.test(namespace)) {
    return `${field}: '${namespace}' is not a DNS-1123 label`;
  }
  const match = protectedMatch(namespace, policy);
  return match
    ? `${field}: '${namespace}' is a protected namespace (${match}); projects never go there`
    : undefined;
}
