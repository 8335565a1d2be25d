/**
 * Parsers for what Flux and the API server write into condition messages.
 * They find names in a message; deciding what the failure is stays with
 * diagnoseFluxFailure.
 */

/** A named thing a message or a spec points at. */
export interface NamedRef {
  kind: string;
  name: string;
  namespace?: string;
}

const PLURAL_KINDS: Record<string, string> = {
  secrets: 'Secret',
  configmaps: 'ConfigMap',
  serviceaccounts: 'ServiceAccount',
  namespaces: 'Namespace',
  deployments: 'Deployment',
  services: 'Service',
  pods: 'Pod',
  statefulsets: 'StatefulSet',
  daemonsets: 'DaemonSet',
  jobs: 'Job',
  ingresses: 'Ingress',
  customresourcedefinitions: 'CustomResourceDefinition',
};

function kindOfResource(resource: string): string {
  const plural = resource.split('.')[0].toLowerCase();
  return (
    PLURAL_KINDS[plural] ??
    plural.charAt(0).toUpperCase() + plural.slice(1).replace(/s$/, '')
  );
}

/**
 * The API server's status reason, as kustomize-controller writes it
 * (`Kind/ns/name dry-run failed (Invalid): ...`) or as its text reads.
 */
export function apiStatusReason(message: string): string | undefined {
  const explicit =
    /\((Invalid|Forbidden|NotFound|Conflict|AlreadyExists|Timeout|ServerTimeout|BadRequest)\)/.exec(
      message,
    );
  if (explicit) {
    return explicit[1];
  }
  if (/field is immutable|is invalid:/.test(message)) {
    return 'Invalid';
  }
  if (
    / is forbidden: | cannot (get|list|watch|create|update|patch|delete) resource /.test(
      message,
    )
  ) {
    return 'Forbidden';
  }
  if (/already exists|exists and cannot be imported/.test(message)) {
    return 'AlreadyExists';
  }
  if (
    /the object has been modified|Operation cannot be fulfilled/.test(message)
  ) {
    return 'Conflict';
  }
  // client-go's NotFound text: `namespaces "x" not found`.
  if (/\b[a-z][\w.]* "[^"]+" not found/.test(message)) {
    return 'NotFound';
  }
  return undefined;
}

/** The object an apply error is about. */
export function objectInMessage(message: string): NamedRef | undefined {
  // kustomize-controller: Deployment/ns/name dry-run failed (...)
  const ssa =
    /\b([A-Z]\w+)\/(?:([\w.-]+)\/)?([\w.-]+) (?:dry-run failed|apply failed|created|configured)/.exec(
      message,
    );
  if (ssa) {
    return { kind: ssa[1], namespace: ssa[2], name: ssa[3] };
  }
  // Helm: Deployment "name" in namespace "ns" exists and cannot be imported
  const helmExists =
    /\b([A-Z]\w+) "([^"]+)" in namespace "([^"]+)" exists/.exec(message);
  if (helmExists) {
    return {
      kind: helmExists[1],
      name: helmExists[2],
      namespace: helmExists[3],
    };
  }
  // API server: Deployment.apps "name" is invalid / deployments.apps "name" is forbidden
  const status =
    /\b([A-Za-z]+)(?:\.[\w.]+)? "([^"]+)" (?:is invalid|is forbidden|already exists|not found)/.exec(
      message,
    );
  if (status) {
    const word = status[1];
    const kind = /^[A-Z]/.test(word) ? word : kindOfResource(word);
    return { kind, name: status[2] };
  }
  return undefined;
}

/** Every `<resource> "name" not found` in a message, in order. */
export function notFoundInMessage(message: string): NamedRef[] {
  return [...message.matchAll(/\b([a-z][\w.]*) "([^"]+)" not found/g)].map(
    m => ({ kind: kindOfResource(m[1]), name: m[2] }),
  );
}

/** The ServiceAccount the controller impersonated, from an RBAC denial. */
export function impersonatedAccount(message: string): NamedRef | undefined {
  const match = /system:serviceaccount:([\w.-]+):([\w.-]+)/.exec(message);
  return match
    ? { kind: 'ServiceAccount', namespace: match[1], name: match[2] }
    : undefined;
}

/** `no matches for kind "Widget" in version "example.com/v1"`. */
export function missingKind(
  message: string,
): { kind: string; apiVersion: string } | undefined {
  const match = /no matches for kind "([^"]+)" in version "([^"]+)"/.exec(
    message,
  );
  return match ? { kind: match[1], apiVersion: match[2] } : undefined;
}

/** Workloads a health check names: `Deployment/ns/name status: 'InProgress'`. */
export function workloadsInHealthMessage(message: string): NamedRef[] {
  return [
    ...message.matchAll(/\b([A-Z]\w+)\/([\w.-]+)\/([\w.-]+) status: '?(\w+)/g),
  ].map(m => ({ kind: m[1], namespace: m[2], name: m[3] }));
}

/** `dependency 'ns/name' is not ready` (Kustomization and HelmRelease). */
export function dependencyInMessage(message: string): NamedRef | undefined {
  const match = /dependency '([\w.-]+)\/([\w.-]+)'/.exec(message);
  return match ? { kind: '', namespace: match[1], name: match[2] } : undefined;
}

export const TIMEOUT_TEXT =
  /context deadline exceeded|exceed context deadline|timed out|timeout waiting|deadline exceeded|Client\.Timeout/i;

export const UNREACHABLE_TEXT =
  /connection refused|no such host|dial tcp|i\/o timeout|network is unreachable|connection reset|EOF\b/i;
