export { build, type BuildOptions, type BuildResult, type ArtifactRecord, type StepSummary, type Notice } from './build.js';
export { loadProject, PROJECT_FILE, safeName, type Project, type Step, type StepKind, type Delivery } from './project.js';
export { init, type InitOptions, type InitResult } from './init.js';
