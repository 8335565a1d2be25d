export * from './conditions';
export * from './fluxProgress';
export * from './fluxState';
export * from './types';
export * from './workloadHealth';
