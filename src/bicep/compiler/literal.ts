/** JSON values written as Bicep literals (for the .bicepparam files aibgen writes to evaluate a deployment). */

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function string(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\$\{/g, '\\${').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}'`;
}

/** One line (`[a, b]`, `{ k: v }`): a .bicepparam's diagnostics then name the param by their line. */
export function toBicepLine(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(toBicepLine).join(', ')}]`;
  if (value && typeof value === 'object')
    return `{ ${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${IDENTIFIER.test(k) ? k : string(k)}: ${toBicepLine(v)}`)
      .join(', ')} }`.replace('{  }', '{}');
  return toBicepLiteral(value);
}

export function toBicepLiteral(value: unknown, indent = ''): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return string(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`${value} is not a whole number, which Bicep cannot hold`);
    return String(value);
  }
  if (typeof value === 'boolean') return String(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => `${inner}${toBicepLiteral(v, inner)}`).join('\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${inner}${IDENTIFIER.test(k) ? k : string(k)}: ${toBicepLiteral(v, inner)}`).join('\n')}\n${indent}}`;
}
