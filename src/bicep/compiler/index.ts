export { findBicep } from './find.js';
export { BicepCompiler, CompilerError, type Diagnostic } from './rpc.js';
export { evaluate, type Evaluation, SNAPSHOT_METADATA } from './evaluate.js';
export { BicepLocator, type BicepLocation } from './locate.js';
export { bicepSources, type BicepSource } from './files.js';
export { CompilerSession, COMPILER_HINT } from './session.js';
export { toBicepLiteral, toBicepLine } from './literal.js';
