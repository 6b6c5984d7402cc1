/**
 * aibgen as a library. Every CLI command is one of these functions: plain values in, results out,
 * nothing printed, no process.exit. Failures throw `AibgenError` subclasses (see ./errors.js).
 */
export * from './errors.js';
export * from './checksum/index.js';
export * from './template/index.js';
export * from './fill/index.js';
export * from './render/index.js';
export * from './deprovision/index.js';
export * from './bundle/index.js';
export { inlineFileCommands, inlineScriptCommands, downloadCommands, extractSteps, type InlineFileOptions, type ExtractStepsOptions, type DownloadOptions, type CustomizerEntry } from './customizers/index.js';
export * from './validate/index.js';
export * from './project/index.js';
