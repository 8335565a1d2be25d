export * from './classifyFluxFailure';
export * from './errorCodes';
