export { inlineFileCommands, type InlineFileOptions, type CustomizerEntry } from './inline-file.js';
export { extractSteps, type ExtractStepsOptions } from './extract.js';
export { inlineScriptCommands, downloadCommands, sha256, INLINE_LIMIT, type DownloadOptions } from './delivery.js';
