import { UsageError } from '../errors.js';
import { redact } from '../util/redact.js';

/** Where one artifact goes: the account's blob endpoint, the container and the blob name. */
export interface BlobTarget {
  /** e.g. https://contoso.blob.core.windows.net or http://127.0.0.1:10000/devstoreaccount1 */
  serviceUrl: string;
  account: string;
  container: string;
  blob: string;
}

function isPathStyle(url: URL): boolean {
  // Emulators (Azurite) and IP endpoints put the account in the path: http://127.0.0.1:10000/devstoreaccount1/...
  return /^(\d{1,3}\.){3}\d{1,3}$|^\[.*\]$|^localhost$/i.test(url.hostname) || !url.hostname.includes('.');
}

/** Parses an artifact URI from artifacts.json into account, container and blob name (query dropped). */
export function parseBlobUri(uri: string): BlobTarget {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new UsageError(`${redact(uri)} is not a URL; artifacts.json must hold the artifact URIs that aibgen build wrote`);
  }
  const segments = url.pathname
    .split('/')
    .slice(1)
    .map((s) => decodeURIComponent(s));
  if (isPathStyle(url)) {
    const [account, container, ...blob] = segments;
    if (!account || !container || blob.length === 0) throw new UsageError(`${redact(uri)}: expected http://<host>:<port>/<account>/<container>/<blob>`);
    return { serviceUrl: `${url.origin}/${account}`, account, container, blob: blob.join('/') };
  }
  const [container, ...blob] = segments;
  if (!container || blob.length === 0) throw new UsageError(`${redact(uri)}: expected https://<account>.blob.core.windows.net/<container>/<blob>`);
  return { serviceUrl: url.origin, account: url.hostname.split('.')[0] as string, container, blob: blob.join('/') };
}

const TYPES: [RegExp, string][] = [
  [/\.sh$/i, 'text/x-shellscript'],
  [/\.ps1$/i, 'text/plain; charset=utf-8'],
  [/\.(tar\.gz|tgz)$/i, 'application/gzip'],
  [/\.zip$/i, 'application/zip'],
  [/\.json$/i, 'application/json'],
  [/\.(txt|conf|cfg|ini|xml|ya?ml|html?|css|js)$/i, 'text/plain; charset=utf-8'],
];

export function contentTypeOf(name: string): string {
  return TYPES.find(([pattern]) => pattern.test(name))?.[1] ?? 'application/octet-stream';
}
