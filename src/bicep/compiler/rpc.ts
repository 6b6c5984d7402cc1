import { spawn, type ChildProcess } from 'node:child_process';
import { AibgenError } from '../../errors.js';
import { sanitizeLine } from '../../util/sanitize.js';

/**
 * The Bicep compiler, started once per run in its JSON-RPC mode (`bicep jsonrpc --stdio`; a start
 * costs about 1.5 s) and asked for every file: compile, compile a .bicepparam, and a deployment
 * snapshot (params, vars, loops, conditions and local modules evaluated into the predicted
 * resources, with nothing written to disk). Every answer is bounded in time and size and checked
 * before use; a compiler that crashes, hangs or answers oddly is a CompilerError, never "no problems".
 */

export class CompilerError extends AibgenError {
  constructor(message: string, cause?: unknown) {
    super('E_ENGINE', message, { cause });
  }
}

export interface Diagnostic {
  source: string;
  line: number;
  column: number;
  level: 'Error' | 'Warning' | 'Info';
  code: string;
  message: string;
}

export interface CompileResult {
  success: boolean;
  diagnostics: Diagnostic[];
  /** The ARM template (JSON text) when it compiled. */
  contents?: string;
}

export interface SnapshotMetadata {
  subscriptionId?: string;
  resourceGroup?: string;
  location?: string;
  tenantId?: string;
  deploymentName?: string;
}

const MAX_MESSAGE = 256 * 1024 * 1024;

function diagnosticsOf(value: unknown): Diagnostic[] {
  if (!Array.isArray(value)) throw new CompilerError('the Bicep compiler answered without its list of diagnostics');
  return value.map((d: unknown) => {
    const x = d as { source?: unknown; range?: { start?: { line?: unknown; char?: unknown } }; level?: unknown; code?: unknown; message?: unknown };
    const line = x.range?.start?.line;
    const char = x.range?.start?.char;
    if (typeof x.source !== 'string' || typeof line !== 'number' || typeof char !== 'number' || typeof x.message !== 'string' || typeof x.code !== 'string')
      throw new CompilerError(`the Bicep compiler answered a diagnostic aibgen does not understand (${JSON.stringify(d).slice(0, 120)})`);
    const level = x.level === 'Error' || x.level === 'Warning' ? x.level : 'Info';
    return { source: x.source, line: line + 1, column: char + 1, level, code: sanitizeLine(x.code, 80), message: sanitizeLine(x.message, 2000) };
  });
}

export class BicepCompiler {
  private child: ChildProcess | undefined;
  private buffer = Buffer.alloc(0);
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();
  private failure: CompilerError | undefined;
  private versionText: string | undefined;

  constructor(
    readonly path: string,
    private readonly timeoutMs: number = 120_000,
  ) {}

  private start(): ChildProcess {
    if (this.child) return this.child;
    // Its own process group: a hung compiler is killed with everything it started.
    const child = spawn(this.path, ['jsonrpc', '--stdio'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
      env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1' },
    });
    this.child = child;
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 4096) stderr += chunk.toString();
    });
    child.stdout.on('data', (chunk: Buffer) => this.receive(chunk));
    child.on('error', (error) => this.fail(new CompilerError(`the Bicep compiler (${this.path}) could not be started: ${error.message}`, error)));
    child.on('exit', (code, signal) => {
      this.fail(
        new CompilerError(
          `the Bicep compiler (${this.path}) stopped ${signal ? `on ${signal}` : `with exit code ${code ?? '?'}`}${stderr.trim() ? `: ${sanitizeLine(stderr, 300)}` : ''}`,
        ),
      );
    });
    child.stdin.on('error', () => undefined);
    return child;
  }

  private fail(error: CompilerError): void {
    this.failure ??= error;
    for (const [, request] of this.pending) {
      clearTimeout(request.timer);
      request.reject(this.failure);
    }
    this.pending.clear();
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd === -1) {
        if (this.buffer.length > 8192) this.kill(new CompilerError('the Bicep compiler printed something that is not a JSON-RPC message'));
        return;
      }
      const header = this.buffer.subarray(0, headerEnd).toString('latin1');
      const length = Number(/^Content-Length: *(\d{1,10})$/im.exec(header)?.[1]);
      if (!Number.isSafeInteger(length) || length > MAX_MESSAGE) {
        this.kill(new CompilerError('the Bicep compiler answered a message without a usable Content-Length'));
        return;
      }
      if (this.buffer.length < headerEnd + 4 + length) return;
      const body = this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8');
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      let message: { id?: unknown; result?: unknown; error?: { message?: unknown } };
      try {
        message = JSON.parse(body) as typeof message;
      } catch {
        this.kill(new CompilerError('the Bicep compiler answered something that is not JSON'));
        return;
      }
      const request = typeof message.id === 'number' ? this.pending.get(message.id) : undefined;
      if (!request) continue;
      this.pending.delete(message.id as number);
      clearTimeout(request.timer);
      if (message.error) {
        const said = typeof message.error.message === 'string' ? message.error.message : 'unknown error';
        request.reject(new CompilerError(`the Bicep compiler failed: ${sanitizeLine(said, 300)}`));
      } else request.resolve(message.result);
    }
  }

  private kill(error: CompilerError): void {
    this.fail(error);
    if (this.child?.pid !== undefined) {
      try {
        process.kill(-this.child.pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
  }

  private request(method: string, params: unknown): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    const child = this.start();
    const id = ++this.nextId;
    const body = JSON.stringify({ jsonrpc: '2.0', id, method, params });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => this.kill(new CompilerError(`the Bicep compiler did not answer ${method} within ${Math.round(this.timeoutMs / 1000)} s and was stopped`)),
        this.timeoutMs,
      );
      this.pending.set(id, { resolve, reject, timer });
      child.stdin?.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    });
  }

  async version(): Promise<string> {
    if (this.versionText) return this.versionText;
    const result = (await this.request('bicep/version', {})) as { version?: unknown };
    if (typeof result?.version !== 'string') throw new CompilerError('the Bicep compiler did not say its version');
    this.versionText = sanitizeLine(result.version, 40);
    return this.versionText;
  }

  async compile(path: string): Promise<CompileResult> {
    const result = (await this.request('bicep/compile', { path })) as { success?: unknown; diagnostics?: unknown; contents?: unknown };
    if (typeof result?.success !== 'boolean') throw new CompilerError('the Bicep compiler answered a compile request oddly');
    return {
      success: result.success,
      diagnostics: diagnosticsOf(result.diagnostics),
      ...(typeof result.contents === 'string' ? { contents: result.contents } : {}),
    };
  }

  /** A .bicepparam compiled: its diagnostics, the parameters it sets (ARM parameters JSON) and the template it uses. */
  async compileParams(path: string): Promise<CompileResult & { parameters?: string; template?: string }> {
    const result = (await this.request('bicep/compileParams', { path, parameterOverrides: {} })) as {
      success?: unknown;
      diagnostics?: unknown;
      parameters?: unknown;
      template?: unknown;
    };
    if (typeof result?.success !== 'boolean') throw new CompilerError('the Bicep compiler answered a compileParams request oddly');
    return {
      success: result.success,
      diagnostics: diagnosticsOf(result.diagnostics),
      ...(typeof result.parameters === 'string' ? { parameters: result.parameters } : {}),
      ...(typeof result.template === 'string' ? { template: result.template } : {}),
    };
  }

  /** The deployment a .bicepparam describes, evaluated: predicted resources and outputs. */
  async snapshot(path: string, metadata: SnapshotMetadata): Promise<{ predictedResources: Record<string, unknown>[] }> {
    const result = (await this.request('bicep/getSnapshot', { path, metadata, externalInputs: [] })) as { snapshot?: unknown };
    if (typeof result?.snapshot !== 'string') throw new CompilerError('the Bicep compiler answered a snapshot request without a snapshot');
    let snapshot: { predictedResources?: unknown };
    try {
      snapshot = JSON.parse(result.snapshot) as typeof snapshot;
    } catch (error) {
      throw new CompilerError('the Bicep compiler answered a snapshot that is not JSON', error);
    }
    if (!Array.isArray(snapshot.predictedResources) || snapshot.predictedResources.some((r) => typeof r !== 'object' || r === null))
      throw new CompilerError('the Bicep compiler answered a snapshot without a list of predicted resources');
    return { predictedResources: snapshot.predictedResources as Record<string, unknown>[] };
  }

  dispose(): void {
    if (!this.child) return;
    for (const [, request] of this.pending) clearTimeout(request.timer);
    this.pending.clear();
    this.failure ??= new CompilerError('the Bicep compiler was closed');
    this.child.removeAllListeners('exit');
    if (this.child.pid !== undefined) {
      try {
        process.kill(-this.child.pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
    this.child = undefined;
  }
}
