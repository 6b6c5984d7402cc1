import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's root: two levels above this module, in src/ and in dist/ alike. */
function packageRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

/** templates/: deprovisioning overrides, init scaffolds, lint's PowerShell analyzer. */
export function templatesDir(): string {
  return join(packageRoot(), 'templates');
}

/** A file of a vendored third-party build (vendor/<name>/...), shipped with its licence. */
export function vendorDir(...parts: string[]): string {
  return join(packageRoot(), 'vendor', ...parts);
}

/** A file at the package root (package.json, schema/...). */
export function packageFile(...parts: string[]): string {
  return join(packageRoot(), ...parts);
}
