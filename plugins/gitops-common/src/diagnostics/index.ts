export * from './classifyFluxFailure';
export * from './diagnosis';
export * from './errorCodes';
export * from './health';
export * from './references';
