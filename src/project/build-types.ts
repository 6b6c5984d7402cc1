import type { Finding } from '../findings/index.js';
import type { Os } from '../util/os.js';
import type { ArtifactRecord } from './artifacts-file.js';
import type { Project, StepKind, StepList } from './project.js';

/** What build() takes and returns. */

export interface BuildOptions {
  /** Compare with what is on disk instead of writing; unchanged steps are proven by hashes, not rebuilt. */
  check?: boolean;
  /** Remove files from the artifacts folder that artifacts.json no longer lists (never by default). */
  prune?: boolean;
  /** Called as each step finishes (for progress output). */
  onStep?: (event: { name: string; kind: StepKind; ms: number; reused: boolean }) => void;
  /** Steps produced at once (default 4). */
  concurrency?: number;
  /** Lint every script produced and every inline step of the result (default true); errors fail the build. */
  lint?: boolean;
}

export interface StepSummary {
  name: string;
  /** The project step's kind, or `template` for a step the template brought. */
  kind: StepKind | 'template';
  list: StepList;
  /** Names of the customizers this row put into the result, in order. */
  customizers: string[];
  artifact: string | null;
  size: number | null;
  sha256: string | null;
  /** The artifact on disk matched its inputs and was kept. */
  reused: boolean;
  ms: number;
}

export interface Notice {
  level: 'warning' | 'note';
  message: string;
}

export interface BuildResult {
  project: Project;
  os: Os;
  /** Every step of the result, the template's own included, in order (customize, then inVMValidations). */
  steps: StepSummary[];
  artifacts: ArtifactRecord[];
  /** Validation and lint warnings on the result, in the user's files (errors fail the build). */
  warnings: Finding[];
  /** Other things the user must know: tokens written into files, BOM-less scripts, leftovers removed. */
  notices: Notice[];
  outputs: { template: string; customize: string; artifactsJson: string };
  /** --check: what is stale (empty when everything on disk is current). */
  stale: { path: string; reason: string; diff: string[] }[];
  /** Files in the artifacts folder that artifacts.json does not list (removed with `prune`). */
  extraArtifacts: string[];
}
