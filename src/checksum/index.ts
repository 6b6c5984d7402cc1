export { hashFile, hashStream, type FileDigest } from './hash-file.js';
export { sha256Hex } from '../util/sha256.js';
export {
  checksumFiles,
  isChecksumOk,
  type ChecksumResult,
  type ChecksumOk,
  type ChecksumFailed,
  type ChecksumOptions,
  type FileName,
} from './checksum-files.js';
export { checkSums, type CheckSumsResult, type CheckedEntry, type CheckStatus } from './check-sums.js';
export { formatSumLine, formatCheckName, formatSumLineBytes, formatCheckNameBytes, nameBytes, parseSums, escapeName } from './sums-format.js';
