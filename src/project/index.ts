export { build, type BuildOptions, type BuildResult, type StepSummary, type Notice } from './build.js';
export { loadProject, PROJECT_FILE, safeName, artifactUri, type Project, type Step, type StepKind, type Delivery } from './project.js';
export { init, type InitOptions, type InitResult } from './init.js';
export { readArtifactsFile, parseArtifactRecords, formatArtifactsFile, type ArtifactRecord, type ArtifactKind } from './artifacts-file.js';
export { interruptedBuild } from './workspace.js';
