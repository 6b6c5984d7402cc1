export { build, type BuildOptions, type BuildResult, type ArtifactRecord, type StepSummary } from './build.js';
export { loadProject, PROJECT_FILE, type Project, type Step, type Delivery } from './project.js';
export { init, type InitOptions, type InitResult } from './init.js';
