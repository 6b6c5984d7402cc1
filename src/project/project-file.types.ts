// Generated from schema/aibgen.schema.json by `npm run docs` (src/docs/project-types.ts); do not edit by hand.
// These are the shapes of a project file that passed the schema check in project-file.ts.

/** aibgen project file (aibgen.json) */
export interface RawProject {
  $schema?: string;
  /** The input template: a bare image template body, or an ARM deployment holding image templates. */
  template: string;
  /** Which image template to build when the ARM template holds several. */
  templateName?: string;
  /** Where the ready template is written (inside the project folder); customize.json and artifacts.json go next to it. */
  output: string;
  /** Folder for rendered scripts and archives, ready to upload to baseUri (inside the project folder). */
  artifacts: string;
  /** Where the artifacts will be served from; each URI is baseUri + artifact name (a ?query such as a SAS token goes after the name). */
  baseUri: string;
  /** The image OS; optional when the template's source tells. */
  os?: 'linux' | 'windows';
  /** Variables for script templates (.hbs). */
  vars?: Record<string, unknown>;
  /** JSON files of variables, merged in order before vars. */
  varsFiles?: string[];
  /** Folder of *.hbs partials for script templates. */
  partials?: string;
  /** Name artifacts <name>.<first 12 hex of sha256>.<ext>, so a URI never serves two contents. */
  contentAddressed?: boolean;
  /** The template's own customize (and inVMValidations) steps: keep them first (default), or drop the ones no existing step names. */
  templateSteps?: 'keep' | 'drop';
  /** The steps, in order. The template's own steps come first (see templateSteps). */
  customize: (ScriptStep | PayloadStep | FileStep | InlineStep | RestartStep | WindowsUpdateStep | ExistingStep | DeprovisionStep)[];
  /** properties.validate of the built template. */
  validate?: {
    /** Validation steps, run after customization (script, payload, file, inline, existing). */
    inVMValidations?: (ScriptStep | PayloadStep | FileStep | InlineStep | ExistingStep)[];
    /** Distribute the image even when validation fails. */
    continueDistributeOnFailure?: boolean;
    /** Validate the source image only, without customizing. */
    sourceValidationOnly?: boolean;
  };
}

/** A script: .sh runs as a Shell step, .ps1 as a PowerShell step; .hbs templates are rendered first. */
export interface ScriptStep {
  /** Path of a .sh or .ps1 file, or a .sh.hbs / .ps1.hbs template. */
  script: string;
  /** The customizer's name in the built template (default: the file name without extensions). */
  name?: string;
  /** Variables for this script only. */
  vars?: Record<string, unknown>;
  /** PowerShell: run with elevated privileges. */
  runElevated?: boolean;
  /** PowerShell: run as LocalSystem (needs runElevated). */
  runAsSystem?: boolean;
  /** PowerShell: exit codes that count as success (default [0]). */
  validExitCodes?: number[];
  /** Convert CRLF line endings of a plain .sh file to LF (otherwise CRLF is refused: it fails on the VM). */
  eol?: 'lf';
  delivery?: 'uri' | 'inline';
}

export interface PayloadStep {
  /** A folder, bundled as tar.gz (Linux) or zip (Windows) and unpacked to destination. */
  payload: string;
  /** Folder on the build VM (absolute). */
  destination: string;
  /** The customizer's name in the built template (default: the file name without extensions). */
  name?: string;
  /** gitignore-style patterns to leave out. */
  exclude?: string[];
  /** Deflate level, 1-12 (libdeflate's scale; default 6). */
  level?: number;
  /** Largest archive for uri delivery, in bytes (default 20000000). */
  maxSize?: number;
  delivery?: 'uri' | 'download';
}

export interface FileStep {
  file: string;
  /** Path on the build VM, file name included (Linux: under /tmp). */
  destination: string;
  /** The customizer's name in the built template (default: the file name without extensions). */
  name?: string;
  delivery?: 'uri' | 'inline';
}

export interface InlineStep {
  /** Commands, one per entry (Shell on Linux, PowerShell on Windows). */
  inline: string[];
  /** The customizer's name in the built template (default: the file name without extensions). */
  name?: string;
  /** PowerShell: run with elevated privileges. */
  runElevated?: boolean;
  /** PowerShell: run as LocalSystem (needs runElevated). */
  runAsSystem?: boolean;
  /** PowerShell: exit codes that count as success (default [0]). */
  validExitCodes?: number[];
}

export interface RestartStep {
  restart:
    | true
    | {
        restartCommand?: string;
        restartCheckCommand?: string;
        restartTimeout?: string;
      };
  /** Default: restart-after-<the previous step's name>. */
  name?: string;
}

export interface WindowsUpdateStep {
  windowsUpdate:
    | true
    | {
        searchCriteria?: string;
        filters?: string[];
        updateLimit?: number;
      };
  /** Default: windows-update-after-<the previous step's name>. */
  name?: string;
}

export interface ExistingStep {
  /** The name of a step already in the template, placed here. */
  existing: string;
}

export interface DeprovisionStep {
  deprovision:
    | true
    | {
        keepUser?: boolean;
        cloudInitClean?: boolean;
        pre?: string[];
        modeVm?: boolean;
        timeoutMinutes?: number;
      };
  /** The customizer's name in the built template (default: the file name without extensions). */
  name?: string;
  delivery?: 'uri' | 'inline';
}

/** Each step kind: the key that makes an entry that kind, and the shape of such an entry. */
export interface StepsByKind {
  script: ScriptStep;
  payload: PayloadStep;
  file: FileStep;
  inline: InlineStep;
  restart: RestartStep;
  windowsUpdate: WindowsUpdateStep;
  existing: ExistingStep;
  deprovision: DeprovisionStep;
}
