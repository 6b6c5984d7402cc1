import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import { boundedRun } from '../util/bounded-run.js';
import { onPath } from '../util/find-program.js';
import { sanitizeLine } from '../util/sanitize.js';

/**
 * A bearer token for Azure Storage, found the way DefaultAzureCredential finds one, without its 40 MB
 * of MSAL packages: a service principal from the environment (AZURE_CLIENT_SECRET), workload
 * identity federation (AZURE_FEDERATED_TOKEN_FILE, as AKS and other OIDC issuers provide), a managed
 * identity (App Service's IDENTITY_ENDPOINT, else the VM's instance metadata service), and the Azure
 * CLI (`az login`; GitHub's azure/login action with OIDC leaves exactly that behind). The first route
 * that applies is used; when none does, the error lists what each one lacked.
 */

const RESOURCE = 'https://storage.azure.com/';
const SCOPE = `${RESOURCE}.default`;

export interface AccessToken {
  token: string;
  expiresOnTimestamp: number;
}

type Attempt = { token: AccessToken; route: string } | { skipped: string };

/** Token endpoints answer JSON with access_token and expires_in (seconds) or expires_on (epoch seconds). */
function tokenOf(body: unknown, route: string): AccessToken {
  const b = body as { access_token?: unknown; expires_in?: unknown; expires_on?: unknown };
  if (typeof b?.access_token !== 'string' || b.access_token === '') throw new Error(`${route} answered without an access token`);
  const expiresOn = Number(b.expires_on);
  const expiresIn = Number(b.expires_in);
  const at = Number.isFinite(expiresOn) && expiresOn > 0 ? expiresOn * 1000 : Date.now() + (Number.isFinite(expiresIn) ? expiresIn : 3600) * 1000;
  return { token: b.access_token, expiresOnTimestamp: at };
}

async function postForm(url: string, form: Record<string, string>, timeoutMs: number): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = (await response.json().catch(() => ({}))) as { error?: string; error_description?: string };
  if (!response.ok)
    throw new Error(
      `HTTP ${response.status}${body.error ? ` ${body.error}` : ''}${body.error_description ? `: ${sanitizeLine(body.error_description, 200)}` : ''}`,
    );
  return body;
}

export class AzureSignIn {
  private cached: Promise<{ token: AccessToken; route: string }> | undefined;
  /** Which route gave the token, once one has. */
  route: string | undefined;

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly options: { imdsTimeoutMs?: number; cliTimeoutMs?: number } = {},
  ) {}

  private authority(): string {
    return (this.env.AZURE_AUTHORITY_HOST ?? 'https://login.microsoftonline.com').replace(/\/+$/, '');
  }

  private async servicePrincipal(): Promise<Attempt> {
    const { AZURE_TENANT_ID: tenant, AZURE_CLIENT_ID: client, AZURE_CLIENT_SECRET: secret } = this.env;
    if (!tenant || !client || !secret) return { skipped: 'service principal: AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET are not all set' };
    const body = await postForm(
      `${this.authority()}/${encodeURIComponent(tenant)}/oauth2/v2.0/token`,
      { grant_type: 'client_credentials', client_id: client, client_secret: secret, scope: SCOPE },
      30_000,
    );
    return { token: tokenOf(body, 'the token endpoint'), route: `service principal ${client} (AZURE_CLIENT_SECRET)` };
  }

  private async workloadIdentity(): Promise<Attempt> {
    const { AZURE_TENANT_ID: tenant, AZURE_CLIENT_ID: client, AZURE_FEDERATED_TOKEN_FILE: file } = this.env;
    if (!tenant || !client || !file) return { skipped: 'workload identity: AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_FEDERATED_TOKEN_FILE are not all set' };
    const assertion = (await readFile(file, 'utf8')).trim();
    const body = await postForm(
      `${this.authority()}/${encodeURIComponent(tenant)}/oauth2/v2.0/token`,
      {
        grant_type: 'client_credentials',
        client_id: client,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
        scope: SCOPE,
      },
      30_000,
    );
    return { token: tokenOf(body, 'the token endpoint'), route: `workload identity ${client} (AZURE_FEDERATED_TOKEN_FILE)` };
  }

  private async managedIdentity(): Promise<Attempt> {
    const client = this.env.AZURE_CLIENT_ID;
    const { IDENTITY_ENDPOINT: endpoint, IDENTITY_HEADER: header } = this.env;
    if (endpoint && header) {
      const url = new URL(endpoint);
      url.searchParams.set('resource', RESOURCE);
      url.searchParams.set('api-version', '2019-08-01');
      if (client) url.searchParams.set('client_id', client);
      const response = await fetch(url, { headers: { 'X-IDENTITY-HEADER': header }, signal: AbortSignal.timeout(30_000) });
      if (!response.ok) throw new Error(`the managed identity endpoint answered HTTP ${response.status}`);
      return { token: tokenOf(await response.json(), 'the managed identity endpoint'), route: 'managed identity (IDENTITY_ENDPOINT)' };
    }
    const imds = new URL('/metadata/identity/oauth2/token', (this.env.IMDS_ENDPOINT ?? 'http://169.254.169.254').replace(/\/+$/, ''));
    imds.searchParams.set('api-version', '2018-02-01');
    imds.searchParams.set('resource', RESOURCE);
    if (client) imds.searchParams.set('client_id', client);
    let response: Response;
    try {
      response = await fetch(imds, { headers: { Metadata: 'true' }, signal: AbortSignal.timeout(this.options.imdsTimeoutMs ?? 1500) });
    } catch {
      return { skipped: 'managed identity: no instance metadata service answered (not an Azure VM)' };
    }
    if (response.status === 400 || response.status === 404)
      return { skipped: `managed identity: this machine has none assigned (the instance metadata service answered HTTP ${response.status})` };
    if (!response.ok) throw new Error(`the instance metadata service answered HTTP ${response.status}`);
    return { token: tokenOf(await response.json(), 'the instance metadata service'), route: 'managed identity (instance metadata service)' };
  }

  private async azureCli(): Promise<Attempt> {
    const az = onPath('az');
    if (!az) return { skipped: 'Azure CLI: az is not installed' };
    const args = [
      'account',
      'get-access-token',
      '--resource',
      RESOURCE,
      '--output',
      'json',
      ...(this.env.AZURE_TENANT_ID ? ['--tenant', this.env.AZURE_TENANT_ID] : []),
    ];
    const result = await boundedRun(az, args, { timeoutMs: this.options.cliTimeoutMs ?? 60_000, env: this.env });
    if (result.exitCode !== 0) {
      const said = sanitizeLine(
        result.stderr
          .trim()
          .split('\n')
          .find((l) => l.trim()) ?? `exit ${result.exitCode ?? result.signal ?? '?'}`,
        200,
      );
      return { skipped: `Azure CLI: ${/az login/.test(result.stderr) ? 'not signed in (run az login)' : said}` };
    }
    let body: { accessToken?: unknown; expires_on?: unknown; expiresOn?: unknown };
    try {
      body = JSON.parse(result.stdout) as typeof body;
    } catch {
      throw new Error('az account get-access-token did not answer JSON');
    }
    if (typeof body.accessToken !== 'string') throw new Error('az account get-access-token answered without an access token');
    const epoch = Number(body.expires_on);
    const expiresOnTimestamp = Number.isFinite(epoch) && epoch > 0 ? epoch * 1000 : new Date(String(body.expiresOn)).getTime() || Date.now() + 3_000_000;
    return { token: { token: body.accessToken, expiresOnTimestamp }, route: 'the Azure CLI (az login)' };
  }

  private async acquire(): Promise<{ token: AccessToken; route: string }> {
    const skipped: string[] = [];
    for (const [name, attempt] of [
      ['service principal', () => this.servicePrincipal()],
      ['workload identity', () => this.workloadIdentity()],
      ['managed identity', () => this.managedIdentity()],
      ['Azure CLI', () => this.azureCli()],
    ] as const) {
      let result: Attempt;
      try {
        result = await attempt();
      } catch (error) {
        // A route that applies but fails is the answer: trying others would hide why.
        throw new UsageError(`signing in to Azure with the ${name} failed: ${sanitizeLine(error instanceof Error ? error.message : String(error), 300)}`);
      }
      if ('token' in result) return result;
      skipped.push(result.skipped);
    }
    throw new UsageError('no Azure credentials found for publishing', [
      ...skipped,
      'set AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_SAS_TOKEN, or sign in with az login (in CI: azure/login)',
    ]);
  }

  /** The storage SDK's TokenCredential call: one token for the run, fetched again a few minutes before it expires. */
  async getToken(_scopes: string | string[]): Promise<AccessToken> {
    if (this.cached) {
      const current = await this.cached;
      if (current.token.expiresOnTimestamp - Date.now() > 5 * 60_000) return current.token;
    }
    this.cached = this.acquire();
    this.cached.catch(() => {
      this.cached = undefined;
    });
    const { token, route } = await this.cached;
    this.route = route;
    return token;
  }
}
