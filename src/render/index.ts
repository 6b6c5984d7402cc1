export { renderText, renderTemplate, renderToFile, defaultOutputPath, type RenderOptions, type RenderResult } from './render.js';
export { loadVariables, mergeVariables, setPath, type Variables, type VariableSources } from './variables.js';
export { finishScript, scriptKind, type Eol, type ScriptKind } from './hygiene.js';
export { HELPERS } from './helpers.js';
export type { MissingVariable } from './strict.js';
