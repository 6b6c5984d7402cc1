import { AibgenError, IoError, ProjectError, UsageError } from '../errors.js';
import { redact } from '../util/redact.js';
import type { Credentials } from './credentials.js';
import type { BlobTarget } from './target.js';

/** The service's error code: from the error itself, or the x-ms-error-code header (HEAD answers have no body). */
export function errorCodeOf(error: unknown): string | undefined {
  const e = error as { code?: unknown; response?: { headers?: { get?(name: string): string | undefined } }; details?: { errorCode?: string } };
  if (typeof e.details?.errorCode === 'string') return e.details.errorCode;
  const header = e.response?.headers?.get?.('x-ms-error-code');
  if (header) return header;
  return typeof e.code === 'string' && !/^E[A-Z]+$/.test(e.code) && e.code !== 'REQUEST_SEND_ERROR' ? e.code : undefined;
}

/**
 * A storage error as a sentence that names its real cause and the fix: no credentials, a 403 with
 * the service's code and what the credential needs, a missing container, a network failure.
 */
export function storageError(error: unknown, target: BlobTarget, credentials: Credentials, what: 'container' | 'blob'): AibgenError {
  if (error instanceof AibgenError) return error;
  const e = error as { statusCode?: number; message?: string; name?: string };
  const code = errorCodeOf(error);
  const where = what === 'container' ? `container ${target.serviceUrl}/${target.container}` : `${target.serviceUrl}/${target.container}/${target.blob}`;
  if (code === 'ContainerNotFound') {
    return new ProjectError(`container "${target.container}" does not exist in storage account ${target.account}`, [
      `create it first: az storage container create --account-name ${target.account} --name ${target.container} --auth-mode login`,
    ]);
  }
  if (e.statusCode === 403 || e.statusCode === 401) {
    const fix =
      credentials.kind === 'token'
        ? `the signed-in identity needs the Storage Blob Data Contributor role on account ${target.account} (or container ${target.container})`
        : credentials.kind === 'sas'
          ? code === 'AuthenticationFailed'
            ? 'the SAS signature does not match: it is for another account, was cut short, or was changed'
            : 'the SAS must allow read, create and write (sp=rcw or more) on this container, be unexpired, and be for this account'
          : code === 'AuthenticationFailed'
            ? "the account key in AZURE_STORAGE_CONNECTION_STRING is not this account's key (it may have been rotated)"
            : 'check the account key in AZURE_STORAGE_CONNECTION_STRING';
    return new ProjectError(`not allowed to use ${where} with ${credentials.describe} (HTTP ${e.statusCode}${code ? ` ${code}` : ''})`, [fix], error);
  }
  if (
    e.name === 'CredentialUnavailableError' ||
    e.name === 'AuthenticationError' ||
    /Bearer token authentication is not permitted for non-TLS/.test(e.message ?? '')
  ) {
    return new UsageError(`no usable Azure credentials for ${where}: ${redact(e.message ?? '').split('\n')[0] ?? ''}`, [
      'set AZURE_STORAGE_CONNECTION_STRING or a SAS (AZURE_STORAGE_SAS_TOKEN), or sign in with az login (token sign-in needs an https endpoint)',
    ]);
  }
  const message = redact(e.message ?? String(error)).split('\n')[0] ?? '';
  return new IoError(`cannot reach ${where}: ${message}${code ? ` (${code})` : ''}`, error, [
    'the request was retried with backoff; check the network and the storage account, then run aibgen publish again',
  ]);
}
