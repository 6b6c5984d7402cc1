export * from './model.js';
export { inlineFileCommands, type InlineFileOptions } from './inline-file.js';
export { extractSteps, unpackCommands, stagedArchivePath, checkUnpackTarget, type ExtractStepsOptions } from './extract.js';
export { inlineScriptCommands, downloadCommands, INLINE_LIMIT, type DownloadOptions } from './delivery.js';
