import { DeployChanges, ResourceQuantitiesSpec } from './types';

/**
 * A Deployment strategic-merge patch as plain data: what parsing its YAML
 * gives and what stringifying it takes.
 *
 * @public
 */
export type DeploymentPatch = Record<string, unknown>;

/**
 * The strategic-merge patch that makes a deploy's changes to one container
 * of a Deployment, merged into an earlier patch when there is one. Fields and
 * containers of the earlier patch that the changes do not name are kept, in
 * their order; what the patch lacks is added after them, the container first
 * and then the changes, so a new patch lists `template` before `replicas`.
 *
 * - An env value of null becomes a `$patch: delete` entry, so that the
 *   variable leaves the Deployment and not only the patch.
 * - Empty resource quantities are left out: the patch keeps its value.
 * - An env or resources change with nothing in it still writes the list or
 *   mapping (`env: []`, `resources: {}`).
 *
 * The given patch is not modified. Throws an error naming the field when a
 * part of it that the changes touch has the wrong shape.
 *
 * @public
 */
export function buildDeploymentPatch(options: {
  /** The earlier patch as parsed; nothing or null (an empty file) for none. */
  patch?: unknown;
  deployment: string;
  container: string;
  changes: DeployChanges;
}): DeploymentPatch {
  const { deployment, container, changes } = options;
  const patch = { ...mapping(options.patch, 'the patch') };
  patch.apiVersion ??= 'apps/v1';
  patch.kind ??= 'Deployment';
  patch.metadata = {
    ...mapping(patch.metadata, 'metadata'),
    name: deployment,
  };
  const spec = { ...mapping(patch.spec, 'spec') };
  patch.spec = spec;
  const template = { ...mapping(spec.template, 'spec.template') };
  spec.template = template;
  const podSpec = { ...mapping(template.spec, 'spec.template.spec') };
  template.spec = podSpec;
  const containersPath = 'spec.template.spec.containers';
  const containers = [...list(podSpec.containers, containersPath)];
  podSpec.containers = containers;

  const index = containers.findIndex(c => nameOf(c) === container);
  const target: Record<string, unknown> =
    index >= 0 ? { ...(containers[index] as object) } : { name: container };
  containers[index >= 0 ? index : containers.length] = target;

  if (changes.replicas !== undefined) {
    spec.replicas = changes.replicas;
  }
  if (changes.image !== undefined) {
    target.image = changes.image;
  }
  const containerPath = `${containersPath}[${container}]`;
  if (changes.env) {
    target.env = mergeEnv(target.env, changes.env, `${containerPath}.env`);
  }
  if (changes.resources) {
    target.resources = mergeResources(
      target.resources,
      changes.resources,
      `${containerPath}.resources`,
    );
  }
  return patch;
}

function mergeEnv(
  current: unknown,
  changes: Record<string, string | null>,
  path: string,
): unknown[] {
  const env = [...list(current, path)];
  for (const [name, value] of Object.entries(changes)) {
    const entry = value === null ? { name, $patch: 'delete' } : { name, value };
    const index = env.findIndex(e => nameOf(e) === name);
    env[index >= 0 ? index : env.length] = entry;
  }
  return env;
}

function mergeResources(
  current: unknown,
  changes: NonNullable<DeployChanges['resources']>,
  path: string,
): Record<string, unknown> {
  const resources = { ...mapping(current, path) };
  for (const bound of ['requests', 'limits'] as const) {
    const values = changes[bound];
    if (values) {
      resources[bound] = {
        ...mapping(resources[bound], `${path}.${bound}`),
        ...withoutEmpty(values),
      };
    }
  }
  return resources;
}

function withoutEmpty(values: ResourceQuantitiesSpec) {
  return Object.fromEntries(
    Object.entries(values).filter(([, v]) => v !== undefined && v !== ''),
  );
}

function nameOf(item: unknown): unknown {
  return typeof item === 'object' && item !== null
    ? (item as { name?: unknown }).name
    : undefined;
}

function mapping(value: unknown, path: string): Record<string, unknown> {
  if (value === undefined || value === null) {
    return {};
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${path} is not a mapping`);
  }
  return value as Record<string, unknown>;
}

function list(value: unknown, path: string): unknown[] {
  if (value === undefined || value === null) {
    return [];
  }
  if (!Array.isArray(value)) {
    throw new Error(`${path} is not a list`);
  }
  return value;
}
