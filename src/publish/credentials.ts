import type { StorageSharedKeyCredential } from '@azure/storage-blob';
import { UsageError } from '../errors.js';
import { AzureSignIn } from './azure-sign-in.js';
import type { BlobTarget } from './target.js';

/**
 * How publish signs in, first that applies: AZURE_STORAGE_CONNECTION_STRING (its account key, or
 * its SAS); a SAS from AZURE_STORAGE_SAS_TOKEN or --sas-env <VAR>; else an Azure sign-in (a service
 * principal or workload identity from the environment, a managed identity, or the Azure CLI's
 * az login, which is also what azure/login's OIDC route leaves behind), which needs the Storage
 * Blob Data Contributor role. No secret is ever printed: messages name the part that is wrong, never
 * its value.
 */
export type Credentials =
  { kind: 'shared-key'; account: string; key: string; describe: string } | { kind: 'sas'; sas: string; describe: string } | { kind: 'token'; describe: string };

function parseConnectionString(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split(';')) {
    if (!part.trim()) continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw new UsageError(`AZURE_STORAGE_CONNECTION_STRING: a part has no "=" (expected Name=value parts separated by ";")`);
    out.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  return out;
}

/** Azurite's well-known development account (public, documented by Microsoft). */
const DEVELOPMENT = {
  account: 'devstoreaccount1',
  key: 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==',
};

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** What is wrong with a SAS for uploading, by part (never showing the signature), or undefined. */
export function sasProblem(sas: string, now = new Date()): string | undefined {
  const params = new URLSearchParams(sas.replace(/^\?/, ''));
  if (!params.get('sig')) return 'it has no signature (sig=); copy the whole token';
  if (!params.get('sv')) return 'it has no version (sv=); copy the whole token';
  const expiry = params.get('se');
  if (expiry !== null) {
    const at = new Date(expiry);
    if (Number.isNaN(at.getTime())) return `its expiry (se=${expiry}) is not a date`;
    if (at < now) return `it expired at ${expiry} (se=)`;
  }
  const permissions = params.get('sp');
  if (permissions !== null && !(permissions.includes('c') || permissions.includes('w')))
    return `its permissions (sp=${permissions}) do not allow writing; publishing needs read, create and write (sp=rcw)`;
  return undefined;
}

export function chooseCredentials(env: NodeJS.ProcessEnv, sasEnv?: string): Credentials {
  const connection = env.AZURE_STORAGE_CONNECTION_STRING;
  if (connection) {
    const parts = parseConnectionString(connection);
    if (parts.get('usedevelopmentstorage')?.toLowerCase() === 'true')
      return { kind: 'shared-key', ...DEVELOPMENT, describe: 'the development storage account (UseDevelopmentStorage=true)' };
    const account = parts.get('accountname');
    const key = parts.get('accountkey');
    const endpoint = parts.get('blobendpoint');
    if (endpoint !== undefined && !/^https?:\/\/[^/]/.test(endpoint))
      throw new UsageError('AZURE_STORAGE_CONNECTION_STRING: BlobEndpoint is not an http(s) URL');
    const protocol = parts.get('defaultendpointsprotocol');
    if (protocol !== undefined && protocol !== 'https' && protocol !== 'http')
      throw new UsageError(`AZURE_STORAGE_CONNECTION_STRING: DefaultEndpointsProtocol is "${protocol}", expected https or http`);
    if (account !== undefined || key !== undefined) {
      if (!account) throw new UsageError('AZURE_STORAGE_CONNECTION_STRING: AccountKey is given without AccountName');
      if (!key) throw new UsageError(`AZURE_STORAGE_CONNECTION_STRING: AccountName=${account} is given without AccountKey`);
      if (!BASE64.test(key) || key.length % 4 !== 0)
        throw new UsageError('AZURE_STORAGE_CONNECTION_STRING: AccountKey is not base64 (was it cut short or quoted?)');
      return { kind: 'shared-key', account, key, describe: `the account key of ${account} (AZURE_STORAGE_CONNECTION_STRING)` };
    }
    const sas = parts.get('sharedaccesssignature');
    if (sas) {
      const problem = sasProblem(sas);
      if (problem) throw new UsageError(`AZURE_STORAGE_CONNECTION_STRING: its SharedAccessSignature: ${problem}`);
      return { kind: 'sas', sas: sas.replace(/^\?/, ''), describe: 'the SAS in AZURE_STORAGE_CONNECTION_STRING' };
    }
    throw new UsageError('AZURE_STORAGE_CONNECTION_STRING holds neither AccountName and AccountKey nor SharedAccessSignature');
  }
  const sasVar = sasEnv ?? 'AZURE_STORAGE_SAS_TOKEN';
  const sas = env[sasVar];
  if (sasEnv && !sas) throw new UsageError(`--sas-env ${sasEnv}: that environment variable is not set`);
  if (sas) {
    const problem = sasProblem(sas);
    if (problem) throw new UsageError(`the SAS in ${sasVar}: ${problem}`);
    return { kind: 'sas', sas: sas.replace(/^\?/, ''), describe: `the SAS in ${sasVar}` };
  }
  return { kind: 'token', describe: 'an Azure sign-in (service principal or workload identity from the environment, managed identity, or az login)' };
}

/** A token credential in the shape the storage SDK calls (TokenCredential of @azure/core-auth). */
export interface TokenCredentialLike {
  getToken(scopes: string | string[]): Promise<{ token: string; expiresOnTimestamp: number } | null>;
}

/** The SDK credential object for a service URL (the storage SDK loads only here). */
export async function sdkCredential(
  credentials: Credentials,
  target: BlobTarget,
  env: NodeJS.ProcessEnv,
): Promise<{ url: (serviceUrl: string) => string; credential?: StorageSharedKeyCredential | TokenCredentialLike }> {
  if (credentials.kind === 'shared-key') {
    const { StorageSharedKeyCredential } = await import('@azure/storage-blob');
    if (credentials.account !== target.account)
      throw new UsageError(
        `the connection string is for account ${credentials.account}, but artifacts.json uploads to ${target.account}; set AZURE_STORAGE_CONNECTION_STRING for ${target.account}`,
      );
    return { url: (u) => u, credential: new StorageSharedKeyCredential(credentials.account, credentials.key) };
  }
  if (credentials.kind === 'sas') return { url: (u) => `${u}?${credentials.sas}` };
  if (!target.serviceUrl.startsWith('https://'))
    throw new UsageError(`no credentials for ${target.serviceUrl}: an Azure sign-in sends a bearer token, which only goes over https`, [
      'for a local emulator (Azurite), set AZURE_STORAGE_CONNECTION_STRING (UseDevelopmentStorage=true) or a SAS',
    ]);
  return { url: (u) => u, credential: new AzureSignIn(env) };
}
