export { FluxDependencyGraph } from './FluxDependencyGraph';
