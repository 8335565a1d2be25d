export * from './types';
export * from './validation';
export * from './commits';
export * from './deploymentPatch';
export * from './pendingChange';
