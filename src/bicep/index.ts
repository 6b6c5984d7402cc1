import { InputError } from '../errors.js';
import type { SiteDocument } from '../fill/sites.js';

export function bicepSiteDocument(file: string, _text: string): SiteDocument {
  throw new InputError(`${file}: Bicep support is not built yet`);
}
