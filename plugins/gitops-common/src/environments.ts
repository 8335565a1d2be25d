/**
 * The environments a project is initialized with, in promotion order.
 *
 * @public
 */
export const GITOPS_ENVIRONMENTS = [
  'development',
  'staging',
  'production',
] as const;

/**
 * One of {@link GITOPS_ENVIRONMENTS}.
 *
 * @public
 */
export type GitOpsEnvironment = (typeof GITOPS_ENVIRONMENTS)[number];

/**
 * Matches a DNS-1123 label, the rule for namespaces, object names and most
 * label values in Kubernetes.
 *
 * @public
 */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

// The distribution grammar's parts of an image reference.
const NAME_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?`;

/**
 * Matches a container image reference: `[registry[:port]/]path[:tag][@sha256:digest]`,
 * following the Docker distribution grammar (a bracketed IPv6 registry host too).
 *
 * @public
 */
export const IMAGE_REFERENCE = new RegExp(
  `^(?:${DOMAIN}/)?${NAME_COMPONENT}(?:/${NAME_COMPONENT})*(?::[\\w][\\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$`,
);

/**
 * Matches an environment variable name Kubernetes accepts (C identifier,
 * the portable subset).
 *
 * @public
 */
export const ENV_VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Matches a non-negative Kubernetes resource quantity such as `250m`, `1.5`,
 * `512Mi` or `1e3`.
 *
 * @public
 */
export const RESOURCE_QUANTITY =
  /^(?:\d+(?:\.\d*)?|\.\d+)(?:[KMGTPE]i|[numkMGTPE]|[eE][+-]?\d+)?$/;

/**
 * Matches a Flux duration such as `1m`, `5m30s` or `1h` (Go's
 * time.ParseDuration units Flux accepts).
 *
 * @public
 */
export const FLUX_DURATION = /^(?:[0-9]+(?:\.[0-9]+)?(?:ms|s|m|h))+$/;
