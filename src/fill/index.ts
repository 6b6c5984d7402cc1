export { fillChecksums, isProblem, type FillOptions, type FillReport, type SiteReport, type SiteStatus } from './fill.js';
export { parseMapping, resolveUri, classifyUri, type UriMapping, type Resolution } from './uri-map.js';
export { fetchAndHash, type FetchOptions, type FetchedDigest } from './fetch.js';
export { jsonSiteDocument } from './json-sites.js';
export type { ChecksumSite, SiteDocument, ChecksumValue, UriValue, Position } from './sites.js';
export { passedParamsByFile } from './bicep-callers.js';
export { compileForFill, type CompiledBicep } from './bicep-compiled.js';
