export * from './fluxState';
export * from './types';
export * from './workloadHealth';
