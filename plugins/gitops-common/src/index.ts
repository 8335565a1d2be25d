/**
 * Types, labels and permissions shared by the GitOps plugins.
 *
 * @packageDocumentation
 */

export * from './api';
export * from './environments';
export * from './labels';
export * from './permissions';
export * from './deploys';
export * from './diagnostics';
export * from './status';
