import { withShellTree, type SyntaxNode } from './parse.js';
import { innerSource, wordOf, type Word } from './words.js';

/**
 * The commands a shell script runs, read from its syntax tree: simple commands in pipelines, lists,
 * loops, conditionals, functions, subshells and command substitutions, with wrappers (`sudo`, `env`,
 * `command`, `exec`, `xargs`, `timeout` ...) taken off, and `sh -c '...'` / `eval '...'` with
 * literal text parsed in turn. Text in strings, echo arguments, heredoc bodies, comments and
 * assignments is not a command; a heredoc's `$(...)` is.
 */

export interface ShellCommand {
  /** The command as written after unwrapping (`apt-get`, `/sbin/reboot`). */
  name: string;
  /** Its last path segment (`reboot`); empty when the name is computed at run time. */
  program: string;
  /** For a name computed at run time from one variable (`"$WAAGENT"`): that variable's name. */
  variable?: string;
  args: Word[];
  /** Where the whole simple command starts (wrappers included; assignments before it are not). */
  start: number;
  /** Where the unwrapped command name starts. */
  nameStart: number;
  /** Where its standard input comes from. */
  stdin: 'terminal' | 'redirected' | 'pipe';
  /** Wrappers taken off, outermost first (`sudo`, `env` ...). */
  wrappers: string[];
  /** Literal files its standard output is written to (`> f`, `>> f`). */
  writesTo: string[];
  /** Text fed to its standard input by the script itself: a heredoc, a here-string, or an echo/printf before it in a pipe. */
  input?: WrittenText;
}

/** Text with the offset of each of its characters in the parsed source. */
export interface WrittenText {
  text: string;
  /** Offset in the source of the text's first character; characters follow one to one (escapes aside). */
  start: number;
}

export interface RuntimeCommand {
  start: number;
  /** What builds it: `eval`, `bash -c` ... */
  what: string;
}

export interface ShellAnalysis {
  commands: ShellCommand[];
  /** Commands whose text is built at run time: not checked, and said so. */
  runtime: RuntimeCommand[];
  /** Text written to files by echo/printf/tee/cat, by target, in order (for the deprovisioning override). */
  writes: { target: string; pieces: WrittenText[] }[];
}

/** Deepest `sh -c` / `eval` nesting followed. */
const MAX_NESTING = 8;

const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'ksh', 'zsh', 'busybox']);

interface Options {
  /** Options that take a value (the next word), for wrappers with options before the command. */
  valued: Set<string>;
  /** Skips a leading positional (timeout's duration, chroot's folder) before the command. */
  positional?: number;
  /** Stop: these options mean the wrapper runs no command (sudo -l, command -v). */
  noCommand?: Set<string>;
  assignments?: boolean;
}

const WRAPPERS: Record<string, Options> = {
  sudo: {
    valued: new Set([
      '-u',
      '-g',
      '-p',
      '-C',
      '-D',
      '-r',
      '-t',
      '-U',
      '-T',
      '-h',
      '--user',
      '--group',
      '--prompt',
      '--close-from',
      '--chdir',
      '--role',
      '--type',
      '--other-user',
      '--command-timeout',
      '--host',
    ]),
    noCommand: new Set(['-l', '-v', '-k', '-K', '-e', '--list', '--validate', '--reset-timestamp', '--remove-timestamp', '--edit', '-V', '--version']),
    assignments: true,
  },
  doas: { valued: new Set(['-u', '-C']) },
  env: { valued: new Set(['-u', '-C', '-S', '--unset', '--chdir', '--split-string']), assignments: true },
  command: { valued: new Set(), noCommand: new Set(['-v', '-V']) },
  exec: { valued: new Set(['-a']) },
  builtin: { valued: new Set() },
  nohup: { valued: new Set() },
  time: { valued: new Set(['-f', '-o', '--format', '--output']) },
  nice: { valued: new Set(['-n', '--adjustment']) },
  ionice: { valued: new Set(['-c', '-n', '-p', '--class', '--classdata']) },
  timeout: { valued: new Set(['-s', '-k', '--signal', '--kill-after']), positional: 1 },
  stdbuf: { valued: new Set(['-i', '-o', '-e']) },
  setsid: { valued: new Set() },
  chroot: { valued: new Set(['--userspec', '--groups']), positional: 1 },
  xargs: {
    valued: new Set([
      '-a',
      '-d',
      '-E',
      '-e',
      '-I',
      '-i',
      '-L',
      '-l',
      '-n',
      '-P',
      '-s',
      '--arg-file',
      '--delimiter',
      '--max-args',
      '--max-procs',
      '--max-chars',
      '--max-lines',
      '--replace',
    ]),
  },
  runuser: { valued: new Set(['-u', '-g', '-G', '--user', '--group', '--supp-group']) },
  flock: { valued: new Set(['-w', '-E', '--timeout', '--conflict-exit-code']), positional: 1 },
  unbuffer: { valued: new Set() },
};

function basename(name: string): string {
  return name.split('/').pop() ?? name;
}

function isInputRedirect(redirect: SyntaxNode): boolean {
  if (redirect.type === 'heredoc_redirect' || redirect.type === 'herestring_redirect') return true;
  if (redirect.type !== 'file_redirect') return false;
  const descriptor = redirect.childForFieldName('descriptor');
  const op = redirect.children.find((c) => c && !c.isNamed)?.type ?? '';
  if (!op.startsWith('<')) return false;
  // `2<file` does not feed standard input.
  return !descriptor || descriptor.text === '0';
}

/**
 * What the walk knows about a node from above (tree-sitter's `parent` walks down from the root each
 * time, so context is carried down instead of looked up).
 */
interface Frame {
  node: SyntaxNode;
  parent: Frame | undefined;
  /** Where standard input comes from for commands here. */
  stdin: ShellCommand['stdin'];
}

function redirectsOf(frame: Frame): SyntaxNode[] {
  const own = frame.node.children.filter((c): c is SyntaxNode => !!c && /_redirect$/.test(c.type));
  const parent = frame.parent?.node;
  if (parent?.type === 'redirected_statement' && parent.childForFieldName('body')?.id === frame.node.id)
    own.push(...parent.children.filter((c): c is SyntaxNode => !!c && /_redirect$/.test(c.type)));
  return own;
}

/** The frame of a child: input redirects and pipes change where standard input comes from; a function body starts afresh. */
function childFrame(parent: Frame, child: SyntaxNode, index: number, firstCommand: number): Frame {
  const node = parent.node;
  let stdin = parent.stdin;
  if (node.type === 'pipeline' && index > firstCommand && child.isNamed) stdin = 'pipe';
  else if (node.type === 'heredoc_redirect' && child.type === 'pipeline') stdin = 'pipe';
  else if (node.type === 'function_definition') stdin = 'terminal';
  else if (node.type === 'redirected_statement' && node.childForFieldName('body')?.id === child.id) {
    if (node.children.some((c) => !!c && /_redirect$/.test(c.type) && isInputRedirect(c))) stdin = 'redirected';
  }
  return { node: child, parent, stdin };
}

function outputTargets(frame: Frame): string[] {
  const targets: string[] = [];
  for (const redirect of redirectsOf(frame)) {
    if (redirect.type !== 'file_redirect') continue;
    const op = redirect.children.find((c) => c && !c.isNamed)?.type ?? '';
    const descriptor = redirect.childForFieldName('descriptor');
    if (!(op === '>' || op === '>>' || op === '>|' || op === '&>' || op === '&>>') || (descriptor && descriptor.text !== '1')) continue;
    const destination = redirect.childForFieldName('destination');
    const value = destination ? wordOf(destination).value : undefined;
    if (value !== undefined) targets.push(value);
  }
  return targets;
}

function heredocText(redirect: SyntaxNode, shift: (offset: number) => number): WrittenText | undefined {
  if (redirect.type === 'herestring_redirect') {
    const word = redirect.namedChildren.find((c) => c && c.type !== 'file_descriptor');
    const inner = word ? innerSource(word) : undefined;
    return inner ? { text: `${inner.text}\n`, start: shift(inner.start) } : undefined;
  }
  if (redirect.type !== 'heredoc_redirect') return undefined;
  const body = redirect.namedChildren.find((c) => c?.type === 'heredoc_body');
  if (!body) return undefined;
  return { text: body.text, start: shift(body.startIndex) };
}

/** echo/printf with literal arguments: the text they print (printf's format escapes applied simply). */
function printed(command: ShellCommand): WrittenText | undefined {
  if (command.program !== 'echo' && command.program !== 'printf') return undefined;
  const args = [...command.args];
  let newline = command.program === 'echo';
  if (command.program === 'echo') {
    while (args[0]?.value && /^-[neE]+$/.test(args[0].value)) {
      if (args[0].value.includes('n')) newline = false;
      args.shift();
    }
  }
  if (args.length === 0 || args.some((a) => a.value === undefined)) return undefined;
  const first = args[0] as Word;
  let text: string;
  if (command.program === 'printf') {
    const format = first.value as string;
    const rest = args.slice(1).map((a) => a.value as string);
    text = /^%s(\\n)?$/.test(format) ? rest.map((r) => r + (format.endsWith('\\n') ? '\n' : '')).join('') : format.replace(/\\n/g, '\n');
  } else {
    text = args.map((a) => a.value as string).join(' ');
  }
  return { text: newline ? `${text}\n` : text, start: first.valueStart };
}

function pipedInto(frame: Frame, analysis: Map<number, ShellCommand>, shift: (offset: number) => number): WrittenText | undefined {
  // `echo ... | tee f`: the command before this one in the pipeline.
  const parent = frame.parent;
  if (parent?.node.type === 'pipeline') {
    const items = parent.node.namedChildren.filter((c): c is SyntaxNode => !!c && c.type !== 'comment');
    const index = items.findIndex((c) => c.id === frame.node.id);
    const before = index > 0 ? items[index - 1] : undefined;
    const previous = before ? analysis.get(before.id) : undefined;
    if (previous) return previous.input ?? printed(previous);
    // `cat <<EOF | tee f`: tree-sitter hangs the rest of the pipeline under the heredoc redirect.
    if (parent.parent?.node.type === 'heredoc_redirect') return heredocText(parent.parent.node, shift);
  }
  return undefined;
}

interface Context {
  analysis: ShellAnalysis;
  /** Maps an offset of the text being walked to an offset of the top-level script. */
  shift: (offset: number) => number;
  depth: number;
}

/** Takes wrappers off a command's words; undefined when the wrapper runs no command (sudo -l, command -v). */
function unwrap(words: Word[]): { words: Word[]; wrappers: string[] } | undefined {
  const wrappers: string[] = [];
  let rest = words;
  for (let guard = 0; guard < 16; guard++) {
    const head = rest[0];
    if (!head) return undefined;
    // `$SUDO apt-get ...`: a sudo held in a variable wraps what follows.
    if (head.value === undefined && /^\$\{?[A-Za-z_]*sudo[A-Za-z_]*\}?$/i.test(head.node.text) && rest[1]?.value !== undefined) {
      wrappers.push('sudo');
      rest = rest.slice(1);
      continue;
    }
    const program = head.value === undefined ? undefined : basename(head.value);
    const options = program ? WRAPPERS[program] : undefined;
    if (!options || !program) return { words: rest, wrappers };
    let i = 1;
    let positional = options.positional ?? 0;
    for (; i < rest.length; i++) {
      const value = rest[i]?.value;
      if (value === undefined) break;
      if (value === '--') {
        i++;
        break;
      }
      if (options.noCommand?.has(value)) return undefined;
      if (value.startsWith('-') && value.length > 1) {
        const flag = value.includes('=') ? value.slice(0, value.indexOf('=')) : value;
        if (options.valued.has(flag) && !value.includes('=')) i++;
        continue;
      }
      if (options.assignments && /^[A-Za-z_][A-Za-z0-9_]*=/.test(value)) continue;
      if (positional > 0) {
        positional--;
        continue;
      }
      break;
    }
    wrappers.push(program);
    rest = rest.slice(i);
  }
  return { words: rest, wrappers };
}

async function nested(text: string, start: number, ctx: Context): Promise<void> {
  if (ctx.depth >= MAX_NESTING) return;
  const base = ctx.shift;
  await withShellTree(text, (root) => walk(root, { analysis: ctx.analysis, shift: (offset) => base(start + offset), depth: ctx.depth + 1 }));
}

async function commandOf(frame: Frame, ctx: Context, seen: Map<number, ShellCommand>): Promise<void> {
  const node = frame.node;
  const words: Word[] = [];
  const name = node.childForFieldName('name');
  if (!name) return;
  const nameWord = name.namedChildren[0] ?? name;
  words.push(wordOf(nameWord));
  for (const arg of node.childrenForFieldName('argument')) if (arg) words.push(wordOf(arg));
  const unwrapped = unwrap(words);
  if (!unwrapped || unwrapped.words.length === 0) return;
  const [head, ...args] = unwrapped.words as [Word, ...Word[]];
  // The first word, not the node: tree-sitter-bash folds a line of several assignments into the next line's command.
  const start = ctx.shift((words[0] as Word).start);
  const variable = head.value === undefined ? /^"?\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?"?$/.exec(head.node.text)?.[1] : undefined;
  const command: ShellCommand = {
    name: head.value ?? head.node.text,
    program: head.value === undefined ? '' : basename(head.value),
    ...(variable ? { variable } : {}),
    args: args.map((a) => ({ ...a, start: ctx.shift(a.start), valueStart: ctx.shift(a.valueStart) })),
    start,
    nameStart: ctx.shift(head.start),
    stdin: redirectsOf(frame).some(isInputRedirect) ? 'redirected' : frame.stdin,
    wrappers: unwrapped.wrappers,
    writesTo: outputTargets(frame),
  };
  const input =
    redirectsOf(frame)
      .map((r) => heredocText(r, ctx.shift))
      .find((t) => t !== undefined) ?? pipedInto(frame, seen, ctx.shift);
  if (input) command.input = input;
  seen.set(node.id, command);
  ctx.analysis.commands.push(command);
  await followRuntime(command, args, ctx);
  recordWrites(command, ctx.analysis);
}

/** `sh -c '...'`, `eval '...'`, `su -c '...'`: literal text is parsed and checked; other text is noted. */
async function followRuntime(command: ShellCommand, args: Word[], ctx: Context): Promise<void> {
  let script: Word | undefined;
  let what: string | undefined;
  if (SHELLS.has(command.program)) {
    const flag = args.findIndex((a) => a.value !== undefined && /^-[a-zA-Z]*c[a-zA-Z]*$/.test(a.value) && !a.value.startsWith('--'));
    if (flag === -1) return;
    script = args[flag + 1];
    what = `${command.program} -c`;
  } else if (command.program === 'su') {
    const flag = args.findIndex((a) => a.value === '-c' || a.value === '--command');
    if (flag === -1) return;
    script = args[flag + 1];
    what = 'su -c';
  } else if (command.program === 'eval') {
    if (args.length === 1) script = args[0];
    else if (args.length > 1 && args.every((a) => a.value !== undefined)) {
      await nested(args.map((a) => a.value as string).join(' '), 0, { ...ctx, shift: () => command.start });
      return;
    }
    what = 'eval';
  } else return;
  const source = script ? innerSource(script.node) : undefined;
  // What is literal is parsed and checked; what is built at run time (an expansion, a variable) is said.
  if (script && source && (script.value !== undefined || script.node.type === 'string')) await nested(source.text, source.start, ctx);
  if (!script || script.value === undefined) ctx.analysis.runtime.push({ start: command.start, what: what ?? command.program });
}

function recordWrites(command: ShellCommand, analysis: ShellAnalysis): void {
  const add = (target: string, piece: WrittenText | undefined) => {
    if (!piece) return;
    let entry = analysis.writes.find((w) => w.target === target);
    if (!entry) {
      entry = { target, pieces: [] };
      analysis.writes.push(entry);
    }
    entry.pieces.push(piece);
  };
  const text = command.input && (command.program === 'cat' || command.program === 'tee') ? command.input : printed(command);
  for (const target of command.writesTo) add(target, text);
  if (command.program === 'tee' && command.input) {
    for (const arg of command.args) if (arg.value !== undefined && !arg.value.startsWith('-')) add(arg.value, command.input);
  }
}

async function walk(root: SyntaxNode, ctx: Context): Promise<void> {
  const seen = new Map<number, ShellCommand>();
  // Iterative and in source order: scripts nested thousands deep must not overflow the stack.
  const stack: Frame[] = [{ node: root, parent: undefined, stdin: 'terminal' }];
  while (stack.length > 0) {
    const frame = stack.pop() as Frame;
    const node = frame.node;
    if (node.type === 'command') await commandOf(frame, ctx, seen);
    if (node.type === 'comment') continue;
    const children = node.children;
    const firstCommand = children.findIndex((c) => !!c && c.isNamed && c.type !== 'comment');
    for (let i = children.length - 1; i >= 0; i--) {
      const child = children[i];
      if (child) stack.push(childFrame(frame, child, i, firstCommand));
    }
  }
}

/** The commands, run-time-built commands and file writes of a shell script. */
export async function analyzeShell(text: string): Promise<ShellAnalysis> {
  const analysis: ShellAnalysis = { commands: [], runtime: [], writes: [] };
  await withShellTree(text, (root) => walk(root, { analysis, shift: (o) => o, depth: 0 }));
  return analysis;
}
