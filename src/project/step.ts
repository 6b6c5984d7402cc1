import type { ConfinedPath } from './paths.js';
import type { DeprovisionStep, RestartStep, WindowsUpdateStep } from './project-file.types.js';
import type { SourcePosition } from '../util/text-position.js';

/** A project step as build uses it: checked, named, its paths resolved and confined. */

/** A `true | { options }` setting, as its options (`true` is all defaults). */
type OptionsOf<T> = Exclude<T, true>;

export type Delivery = 'uri' | 'inline' | 'download';
export type StepList = 'customize' | 'inVMValidations';

export interface RunFlags {
  runElevated?: boolean;
  runAsSystem?: boolean;
  validExitCodes?: number[];
}

interface StepBase {
  /** `customize[2]` or `validate.inVMValidations[0]`, for messages. */
  where: string;
  /** Where the step is in the project file: `aibgen.json:12:5` for messages, and the same place as data. */
  at: string;
  position: SourcePosition;
  list: StepList;
  name: string;
  /** Whether the name was given, or made up from the step's place or file. */
  nameGiven: boolean;
}

export type ScriptType = 'Shell' | 'PowerShell';

export type Step =
  | (StepBase & {
      kind: 'script';
      script: ConfinedPath;
      scriptType: ScriptType;
      isTemplate: boolean;
      outputName: string;
      vars: Record<string, unknown>;
      flags: RunFlags;
      eol?: 'lf';
      delivery: 'uri' | 'inline';
    })
  | (StepBase & {
      kind: 'payload';
      payload: ConfinedPath;
      destination: string;
      exclude: string[];
      level?: number;
      delivery: 'uri' | 'download';
      maxSize?: number;
    })
  | (StepBase & { kind: 'file'; file: ConfinedPath; destination: string; delivery: 'uri' | 'inline' })
  | (StepBase & { kind: 'inline'; inline: string[]; flags: RunFlags })
  | (StepBase & { kind: 'restart'; options: OptionsOf<RestartStep['restart']> })
  | (StepBase & { kind: 'windowsUpdate'; options: OptionsOf<WindowsUpdateStep['windowsUpdate']> })
  | (StepBase & { kind: 'existing'; existing: string })
  | (StepBase & {
      kind: 'deprovision';
      options: OptionsOf<DeprovisionStep['deprovision']>;
      delivery: 'uri' | 'inline';
    });

export type StepKind = Step['kind'];

/** Artifact file names are made of these characters only. */
export function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '') || 'step';
}
