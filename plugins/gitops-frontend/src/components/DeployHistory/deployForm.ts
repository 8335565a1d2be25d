import {
  DeployChanges,
  envNameError,
  imageReferenceError,
  quantityError,
  replicasError,
} from '@gitops-backstage/plugin-gitops-common';

/** The deploy form's fields, as typed. */
export interface DeployFormValues {
  environment: string;
  image: string;
  replicas: string;
  /** One `NAME=value` per line. */
  env: string;
  cpuRequest: string;
  memoryRequest: string;
  cpuLimit: string;
  memoryLimit: string;
}

export const emptyDeployForm = (environment: string): DeployFormValues => ({
  environment,
  image: '',
  replicas: '',
  env: '',
  cpuRequest: '',
  memoryRequest: '',
  cpuLimit: '',
  memoryLimit: '',
});

export type DeployFormErrors = Partial<Record<keyof DeployFormValues, string>>;

/**
 * The changes the form asks for and the errors of its fields, checked as
 * the backend checks them (so the user hears of them before the preview).
 */
export function readDeployForm(values: DeployFormValues): {
  changes: DeployChanges;
  errors: DeployFormErrors;
} {
  const errors: DeployFormErrors = {};
  const changes: DeployChanges = {};
  const image = values.image.trim();
  if (image) {
    errors.image = imageReferenceError(image);
    changes.image = image;
  }
  if (values.replicas.trim()) {
    const replicas = Number(values.replicas);
    errors.replicas = Number.isNaN(replicas)
      ? 'must be a number'
      : replicasError(replicas);
    changes.replicas = replicas;
  }
  const env: Record<string, string> = {};
  for (const line of values.env.split('\n')) {
    if (!line.trim()) {
      continue;
    }
    const at = line.indexOf('=');
    const name = (at < 0 ? line : line.slice(0, at)).trim();
    const error =
      at < 0 ? `'${line.trim()}' is not NAME=value` : envNameError(name);
    if (error) {
      errors.env = error;
    }
    env[name] = at < 0 ? '' : line.slice(at + 1);
  }
  if (Object.keys(env).length > 0) {
    changes.env = env;
  }
  const quantity = (field: keyof DeployFormValues) => {
    const value = values[field].trim();
    if (value) {
      errors[field] = quantityError(value);
    }
    return value || undefined;
  };
  const requests = {
    cpu: quantity('cpuRequest'),
    memory: quantity('memoryRequest'),
  };
  const limits = { cpu: quantity('cpuLimit'), memory: quantity('memoryLimit') };
  if (requests.cpu || requests.memory || limits.cpu || limits.memory) {
    changes.resources = {
      ...(requests.cpu || requests.memory ? { requests } : {}),
      ...(limits.cpu || limits.memory ? { limits } : {}),
    };
  }
  for (const key of Object.keys(errors) as Array<keyof DeployFormErrors>) {
    if (!errors[key]) {
      delete errors[key];
    }
  }
  return { changes, errors };
}
