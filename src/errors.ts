/**
 * Typed errors. Every failure the user can cause or meet is one of these; the CLI turns
 * them into a message and an exit code in one place (`report()` in src/cli.ts).
 *
 * Exit codes: 1 = a check found problems, 2 = bad input / usage / the work could not be done.
 */
export type ErrorCode =
  | 'E_USAGE'
  | 'E_INPUT'
  | 'E_PARSE'
  | 'E_NOT_FOUND'
  | 'E_IO'
  | 'E_FETCH'
  | 'E_RENDER'
  | 'E_MISSING_VARS'
  | 'E_BUNDLE'
  | 'E_TOO_LARGE'
  | 'E_PROJECT'
  | 'E_CHECK_FAILED'
  | 'E_LIMIT'
  | 'E_UNSAFE'
  | 'E_ENGINE';

export class AibgenError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: 1 | 2;
  /** Extra lines printed after the message (details, lists). */
  readonly details: readonly string[];

  constructor(code: ErrorCode, message: string, options: { exitCode?: 1 | 2; details?: readonly string[]; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = options.exitCode ?? 2;
    this.details = options.details ?? [];
  }
}

/** Wrong flags or arguments. */
export class UsageError extends AibgenError {
  constructor(message: string, details?: readonly string[]) {
    super('E_USAGE', message, { details });
  }
}

/**
 * One option or setting has a wrong value. The library names it as the API does (`destination`,
 * `maxSize`); whoever shows it words it for its user: the CLI as `--destination`, a build as the
 * step's setting in aibgen.json.
 */
export class OptionError extends UsageError {
  readonly option: string;
  /** What is wrong with the value, without the option's name: `must be an absolute Linux path, got "x"`. */
  readonly problem: string;
  constructor(option: string, problem: string, details?: readonly string[]) {
    super(`${option} ${problem}`, details);
    this.option = option;
    this.problem = problem;
  }
}

/** An input file is missing, unreadable, or not what it should be. */
export class InputError extends AibgenError {
  constructor(message: string, options: { code?: ErrorCode; details?: readonly string[]; cause?: unknown } = {}) {
    super(options.code ?? 'E_INPUT', message, options);
  }
}

/** A file does not parse; message carries file:line:column. */
export class ParseError extends AibgenError {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  constructor(file: string, line: number, column: number, what: string) {
    super('E_PARSE', `${file}:${line}:${column}: ${what}`);
    this.file = file;
    this.line = line;
    this.column = column;
  }
}

/** A check (validation, drift, checksum) found problems: exit 1. */
export class CheckFailedError extends AibgenError {
  constructor(message: string, details?: readonly string[]) {
    super('E_CHECK_FAILED', message, { exitCode: 1, details });
  }
}

/** A file could not be read or written; `cause` keeps the system error. */
export class IoError extends AibgenError {
  constructor(message: string, cause?: unknown, details?: readonly string[]) {
    super('E_IO', message, { cause, details });
  }
}

/** A project file (aibgen.json) or the build it describes is wrong; the message names the place. */
export class ProjectError extends AibgenError {
  constructor(message: string, details?: readonly string[], cause?: unknown) {
    super('E_PROJECT', message, { details, cause });
  }
}

/** An input would make aibgen write outside where it may, or pack what it must not. */
export class UnsafeInputError extends AibgenError {
  constructor(message: string, details?: readonly string[]) {
    super('E_UNSAFE', message, { details });
  }
}

/** An input is over a documented limit (size, nesting, chain length). */
export class LimitError extends AibgenError {
  constructor(message: string, details?: readonly string[]) {
    super('E_LIMIT', message, { details });
  }
}

/** An archive would be over its size limit: the size, the limit and the largest inputs, for callers to add their own hint. */
export class TooLargeError extends AibgenError {
  readonly size: number;
  readonly limit: number;
  readonly largest: readonly { path: string; size: number }[];
  constructor(size: number, limit: number, largest: readonly { path: string; size: number }[], message: string, details: readonly string[]) {
    super('E_TOO_LARGE', message, { details });
    this.size = size;
    this.limit = limit;
    this.largest = largest;
  }
}

/** A system error from Node (ENOENT, EACCES ...), not one of ours, whose codes are strings too. */
export function isNodeError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && !(error instanceof AibgenError) && typeof (error as NodeJS.ErrnoException).code === 'string';
}

/** A short human reason for a file-system error ("No such file or directory"). */
export function describeFsError(error: unknown): string {
  if (!isNodeError(error)) return error instanceof Error ? error.message : String(error);
  switch (error.code) {
    case 'ENOENT':
      return 'No such file or directory';
    case 'EISDIR':
      return 'Is a directory';
    case 'EACCES':
    case 'EPERM':
      return 'Permission denied';
    case 'ENOTDIR':
      return 'Not a directory';
    case 'EROFS':
      return 'Read-only file system';
    case 'ENOSPC':
      return 'No space left on device';
    case 'EDQUOT':
      return 'Disk quota exceeded';
    case 'EMFILE':
    case 'ENFILE':
      return 'Too many open files';
    case 'ELOOP':
      return 'Too many levels of symbolic links';
    case 'ENAMETOOLONG':
      return 'File name too long';
    case 'EEXIST':
      return 'File exists';
    case 'EBUSY':
      return 'Resource busy';
    case 'EXDEV':
      return 'Cross-device link';
    default:
      return error.message.replace(/^[A-Z]+: /, '');
  }
}

/**
 * An InputError for a file or folder that could not be read: E_NOT_FOUND only when it does not exist
 * (ENOENT, or a path through a file), E_IO for everything else (permissions, a folder where a file
 * was expected ...). The system error is kept as `cause`.
 */
export function cannotRead(message: string, error: unknown, details?: readonly string[]): InputError {
  const missing = isNodeError(error) && (error.code === 'ENOENT' || error.code === 'ENOTDIR');
  return new InputError(`${message}: ${describeFsError(error)}`, { code: missing ? 'E_NOT_FOUND' : 'E_IO', details, cause: error });
}
