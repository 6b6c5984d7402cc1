export { testProject, BUILD_USER, type TestOptions, type TestResult, type StepResult, type StepStatus, type TestEvent } from './run.js';
export { findNspawn } from './engine.js';
