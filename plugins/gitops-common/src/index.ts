/**
 * Types, labels and permissions shared by the GitOps plugins.
 *
 * @packageDocumentation
 */

export * from './api';
export * from './durations';
export * from './environments';
export * from './fluxKinds';
export * from './labels';
export * from './permissions';
export * from './deploys';
export * from './diagnostics';
export * from './status';
export * from './routes';
