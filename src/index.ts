/**
 * aibgen as a library: one function per CLI command, plus the types they take and return. Plain
 * values in, results out; nothing is printed and the process never exits. Failures throw
 * `AibgenError` subclasses carrying a `code` and the `exitCode` the CLI would use.
 *
 * This list is the public API (docs/library.md); everything else is internal.
 */
export {
  AibgenError,
  UsageError,
  OptionError,
  InputError,
  ParseError,
  CheckFailedError,
  IoError,
  ProjectError,
  UnsafeInputError,
  LimitError,
  TooLargeError,
  type ErrorCode,
} from './errors.js';

export {
  checksumFiles,
  checkSums,
  hashFile,
  sha256Hex,
  type ChecksumResult,
  type ChecksumOk,
  type ChecksumFailed,
  type ChecksumOptions,
  type CheckSumsResult,
  type CheckedEntry,
  type FileDigest,
} from './checksum/index.js';
export { fillChecksums, type FillOptions, type FillReport, type SiteReport, type SiteStatus, type FetchOptions } from './fill/index.js';
export {
  renderTemplate,
  renderToFile,
  renderText,
  loadVariables,
  type RenderOptions,
  type RenderResult,
  type Variables,
  type VariableSources,
  type Eol,
} from './render/index.js';
export { deprovisionScript, deprovisionCustomizer, writeDeprovisionScript, type DeprovisionOptions, type DeprovisionScript } from './deprovision/index.js';
export { bundle, type BundleOptions, type BundleResult, type BundleFormat } from './bundle/index.js';
export {
  extractSteps,
  inlineFileCommands,
  inlineScriptCommands,
  downloadCommands,
  type CustomizerStep,
  type CustomizerType,
  type ShellStep,
  type PowerShellStep,
  type FileStep,
  type WindowsRestartStep,
  type WindowsUpdateStep,
  type ExtractStepsOptions,
  type InlineFileOptions,
  type DownloadOptions,
} from './customizers/index.js';
export { validateFile, validateDocument, RULES, type ValidateOptions, type FileResult, type Finding, type Severity, type RuleInfo } from './validate/index.js';
export {
  build,
  init,
  loadProject,
  type BuildOptions,
  type BuildResult,
  type ArtifactRecord,
  type StepSummary,
  type Notice,
  type InitOptions,
  type InitResult,
  type Project,
} from './project/index.js';
export { formatText, formatJson, formatSarif, type FileResult as CheckResult } from './findings/index.js';
export { lintPaths, LINT_RULES, type LintOptions, type LintPathsResult } from './lint/index.js';
export { publish, type PublishOptions, type PublishResult, type PublishedArtifact, type PublishStatus } from './publish/index.js';
export { importTemplate, type ImportOptions, type ImportReport, type ImportedStep, type ImportAction } from './import/index.js';
export { testProject, type TestOptions, type TestResult, type StepResult, type StepStatus, type TestEvent } from './localtest/index.js';
export { doctor, type ToolReport } from './doctor/index.js';
