/**
 * Checks of deploy inputs that Kubernetes would otherwise reject after the
 * commit; shared by the backend (which enforces them) and the deploy form.
 * Each returns an error message, or undefined when the value is valid.
 */

import { IMAGE_REFERENCE } from '../environments';

/**
 * A container image reference as the distribution spec defines it
 * (`[registry[:port]/]path[:tag][@sha256:digest]`).
 *
 * @public
 */
export function imageReferenceError(image: string): string | undefined {
  if (image.length === 0) {
    return 'must not be empty';
  }
  if (image.length > 512) {
    return 'must be at most 512 characters';
  }
  if (!IMAGE_REFERENCE.test(image)) {
    return `'${image}' is not a valid image reference (registry/name:tag or name@sha256:digest, lowercase name)`;
  }
  return undefined;
}

/** @public */
export const MAX_DEPLOY_REPLICAS = 100;

/** @public */
export function replicasError(replicas: number): string | undefined {
  if (!Number.isInteger(replicas)) {
    return 'must be a whole number';
  }
  if (replicas < 0 || replicas > MAX_DEPLOY_REPLICAS) {
    return `must be between 0 and ${MAX_DEPLOY_REPLICAS}`;
  }
  return undefined;
}

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/**
 * An environment variable name Kubernetes accepts.
 *
 * @public
 */
export function envNameError(name: string): string | undefined {
  if (name.length === 0 || name.length > 253) {
    return 'must be 1 to 253 characters';
  }
  if (!ENV_NAME.test(name)) {
    return `'${name}' is not a valid environment variable name (letters, digits, '_', '-', '.', not starting with a digit)`;
  }
  return undefined;
}

const QUANTITY =
  /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$/;

const SUFFIX_FACTOR: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/**
 * The value of a Kubernetes quantity ("250m", "512Mi", "1e3"), or undefined
 * when it is not one.
 *
 * @public
 */
export function parseQuantity(quantity: string): number | undefined {
  const match = QUANTITY.exec(quantity);
  if (!match) {
    return undefined;
  }
  const [, number, suffix = ''] = match;
  const factor = /^[eE]/.test(suffix)
    ? 10 ** Number(suffix.slice(1))
    : SUFFIX_FACTOR[suffix];
  return Number(number) * factor;
}

/**
 * A CPU or memory request/limit Kubernetes accepts: a non-negative quantity.
 *
 * @public
 */
export function quantityError(quantity: string): string | undefined {
  const value = parseQuantity(quantity);
  if (value === undefined) {
    return `'${quantity}' is not a Kubernetes quantity (for example 250m, 0.5, 512Mi, 1Gi)`;
  }
  if (value < 0) {
    return `'${quantity}' must not be negative`;
  }
  return undefined;
}
