import type { Os } from '../util/os.js';
/**
 * The one model of an AIB customizer step (customize[] and validate.inVMValidations[] entries),
 * shared by build, fill, validate, lint and publish. Property names are the service's own.
 */

export interface ShellStep {
  type: 'Shell';
  name: string;
  scriptUri?: string;
  sha256Checksum?: string;
  inline?: string[];
}

export interface PowerShellStep {
  type: 'PowerShell';
  name: string;
  scriptUri?: string;
  sha256Checksum?: string;
  inline?: string[];
  runElevated?: boolean;
  runAsSystem?: boolean;
  validExitCodes?: number[];
}

export interface FileStep {
  type: 'File';
  name: string;
  sourceUri: string;
  destination: string;
  sha256Checksum?: string;
}

export interface WindowsRestartStep {
  type: 'WindowsRestart';
  name?: string;
  restartCommand?: string;
  restartCheckCommand?: string;
  restartTimeout?: string;
}

export interface WindowsUpdateStep {
  type: 'WindowsUpdate';
  name?: string;
  searchCriteria?: string;
  filters?: string[];
  updateLimit?: number;
}

export type CustomizerStep = ShellStep | PowerShellStep | FileStep | WindowsRestartStep | WindowsUpdateStep;
export type CustomizerType = CustomizerStep['type'];
export type ScriptStep = ShellStep | PowerShellStep;

export const CUSTOMIZER_TYPE_NAMES: readonly CustomizerType[] = ['Shell', 'PowerShell', 'File', 'WindowsRestart', 'WindowsUpdate'];

const BY_LOWER = new Map(CUSTOMIZER_TYPE_NAMES.map((t) => [t.toLowerCase(), t]));

/** The customizer type a `type` value names, ignoring case (as services before 2024-02-01 did). */
export function customizerTypeOf(type: string | undefined): CustomizerType | undefined {
  return type === undefined ? undefined : BY_LOWER.get(type.toLowerCase());
}

/** The property holding the downloaded file's URI, for the types that download one. */
export type UriProperty = 'scriptUri' | 'sourceUri';
export function uriPropertyOf(type: string | undefined): UriProperty | undefined {
  const known = customizerTypeOf(type);
  return known === 'Shell' || known === 'PowerShell' ? 'scriptUri' : known === 'File' ? 'sourceUri' : undefined;
}

/** Properties that make an object look like a step that fetches or runs something. */
export const STEP_PAYLOAD_PROPERTIES = ['scriptUri', 'sourceUri', 'inline'] as const;

/** The OS a script step type runs on. */
export function scriptTypeFor(os: Os): 'Shell' | 'PowerShell' {
  return os === 'linux' ? 'Shell' : 'PowerShell';
}
