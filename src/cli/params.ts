import { InvalidArgumentError } from 'commander';

/** `--param name=value`: the value as JSON when it is JSON (a number, true, a list, an object, a quoted string), else as a string. */
export function parseParam(value: string, previous: Record<string, unknown> = {}): Record<string, unknown> {
  const eq = value.indexOf('=');
  const name = eq > 0 ? value.slice(0, eq) : '';
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new InvalidArgumentError(`--param expects name=value with a Bicep param name, got "${value}"`);
  const raw = value.slice(eq + 1);
  let parsed: unknown = raw;
  if (/^\s*([[{"\d-]|true\b|false\b|null\b)/.test(raw)) {
    try {
      parsed = JSON.parse(raw) as unknown;
    } catch {
      parsed = raw;
    }
  }
  return { ...previous, [name]: parsed };
}
