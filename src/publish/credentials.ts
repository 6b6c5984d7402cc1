import type { TokenCredential } from '@azure/identity';
import type { StorageSharedKeyCredential } from '@azure/storage-blob';
import { UsageError } from '../errors.js';

/**
 * How publish signs in, first that applies: AZURE_STORAGE_CONNECTION_STRING (its account key, or
 * its SAS); a SAS from AZURE_STORAGE_SAS_TOKEN or --sas-env <VAR>; else DefaultAzureCredential
 * (az login, managed identity, workload identity in CI), which needs the Storage Blob Data
 * Contributor role. No secret is ever printed: the CLI redacts keys and signatures.
 */
export type Credentials =
  { kind: 'shared-key'; account: string; key: string; describe: string } | { kind: 'sas'; sas: string; describe: string } | { kind: 'token'; describe: string };

function parseConnectionString(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim().toLowerCase()] = part.slice(eq + 1).trim();
  }
  return out;
}

export function chooseCredentials(env: NodeJS.ProcessEnv, sasEnv?: string): Credentials {
  const connection = env.AZURE_STORAGE_CONNECTION_STRING;
  if (connection) {
    const parts = parseConnectionString(connection);
    if (parts.accountname && parts.accountkey)
      return {
        kind: 'shared-key',
        account: parts.accountname,
        key: parts.accountkey,
        describe: `the account key of ${parts.accountname} (AZURE_STORAGE_CONNECTION_STRING)`,
      };
    if (parts.sharedaccesssignature)
      return { kind: 'sas', sas: parts.sharedaccesssignature.replace(/^\?/, ''), describe: 'the SAS in AZURE_STORAGE_CONNECTION_STRING' };
    throw new UsageError('AZURE_STORAGE_CONNECTION_STRING holds neither AccountName and AccountKey nor SharedAccessSignature');
  }
  const sasVar = sasEnv ?? 'AZURE_STORAGE_SAS_TOKEN';
  const sas = env[sasVar];
  if (sasEnv && !sas) throw new UsageError(`--sas-env ${sasEnv}: that environment variable is not set`);
  if (sas) return { kind: 'sas', sas: sas.replace(/^\?/, ''), describe: `the SAS in ${sasVar}` };
  return { kind: 'token', describe: 'DefaultAzureCredential (az login, managed identity or workload identity)' };
}

/** The SDK credential object for a service URL (the SDK and @azure/identity load only here). */
export async function sdkCredential(
  credentials: Credentials,
  account: string,
): Promise<{ url: (serviceUrl: string) => string; credential?: StorageSharedKeyCredential | TokenCredential }> {
  if (credentials.kind === 'shared-key') {
    const { StorageSharedKeyCredential } = await import('@azure/storage-blob');
    if (credentials.account !== account)
      throw new UsageError(
        `the connection string is for account ${credentials.account}, but artifacts.json uploads to ${account}; set AZURE_STORAGE_CONNECTION_STRING for ${account}`,
      );
    return { url: (u) => u, credential: new StorageSharedKeyCredential(credentials.account, credentials.key) };
  }
  if (credentials.kind === 'sas') return { url: (u) => `${u}?${credentials.sas}` };
  const { DefaultAzureCredential } = await import('@azure/identity');
  return { url: (u) => u, credential: new DefaultAzureCredential() };
}
