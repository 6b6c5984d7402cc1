export { findBash, findPwsh, findShellcheck, onPath, type EngineInfo } from './find.js';
export { Scratch } from './scratch.js';
export { shellSyntax } from './shell-syntax.js';
export { shellcheck } from './shellcheck.js';
export { powershell } from './powershell.js';
export type { EngineRun } from './types.js';
