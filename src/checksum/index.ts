export { hashFile, hashStream, sha256Hex, type FileDigest } from './hash-file.js';
export { checksumFiles, isChecksumOk, type ChecksumResult, type ChecksumOk, type ChecksumFailed, type ChecksumOptions } from './checksum-files.js';
export { checkSums, type CheckSumsResult, type CheckedEntry, type CheckStatus } from './check-sums.js';
export { formatSumLine, formatCheckName, parseSums, escapeName } from './sums-format.js';
