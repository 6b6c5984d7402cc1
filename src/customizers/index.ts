export { inlineFileCommands, type InlineFileOptions, type CustomizerEntry } from './inline-file.js';
export { extractSteps, type ExtractStepsOptions } from '../bundle/customizer.js';
