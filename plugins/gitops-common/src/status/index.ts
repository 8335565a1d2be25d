export * from './conditions';
export * from './dependencyGraph';
export * from './drift';
export * from './fluxProgress';
export * from './fluxState';
export * from './inventoryTree';
export * from './types';
export * from './workloadHealth';
