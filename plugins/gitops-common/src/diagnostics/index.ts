export * from './classifyFluxFailure';
export * from './errorCodes';
export * from './health';
export * from './references';
