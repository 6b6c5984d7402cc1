/**
 * Secrets that must never reach a log: SAS signatures (`sig=`), storage account keys and the
 * secret parts of connection strings. Everything aibgen prints to stderr, and every report it
 * prints to stdout, goes through `redact`.
 */

const SAS_SIGNATURE = /([?&;]sig=)[^&\s"'<>#]+/gi;
const CONNECTION_SECRET = /\b(AccountKey|SharedAccessKey|SharedAccessSignature)=([^;\s"']+)/gi;
/** A storage account key: 64 random bytes in base64 (86 characters and "=="), standing alone. */
const ACCOUNT_KEY = /(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{86}==(?![A-Za-z0-9+/=])/g;

export const REDACTED = '<redacted>';

export function redact(text: string): string {
  if (!/sig=|AccountKey=|SharedAccess|==/i.test(text)) return text;
  return text.replace(SAS_SIGNATURE, `$1${REDACTED}`).replace(CONNECTION_SECRET, `$1=${REDACTED}`).replace(ACCOUNT_KEY, REDACTED);
}

/** The SAS token in a URI's query, when it carries one (a `sig=` parameter). */
export function sasTokenOf(uri: string): { query: string; expiry: string | undefined } | undefined {
  const q = uri.indexOf('?');
  if (q === -1) return undefined;
  const query = uri.slice(q + 1).split('#')[0] ?? '';
  const params = new URLSearchParams(query);
  if (!params.has('sig')) return undefined;
  return { query, expiry: params.get('se') ?? undefined };
}
