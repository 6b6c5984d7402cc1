export {
  bundle,
  formatFromPath,
  resolveMtime,
  ARCHIVE_FORMAT_VERSION,
  DEFAULT_LEVEL,
  DEFAULT_MAX_SIZE,
  DEFAULT_MTIME,
  type BundleOptions,
  type BundleResult,
  type BundleFormat,
} from './bundle.js';
export { walkPayload, compareBytes, type BundleEntry, type WalkOptions, type WalkResult } from './walk.js';
export { GZIP_MEMBER_INPUT } from './tar-gz.js';
