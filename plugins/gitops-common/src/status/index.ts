export * from './fluxState';
export * from './types';
