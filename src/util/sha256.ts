import { createHash, hash as oneShotHash } from 'node:crypto';

/** SHA-256 of bytes (or a string's UTF-8), lowercase hex: the one helper every module uses. */
export function sha256Hex(data: Uint8Array | string): string {
  // crypto.hash (Node >= 20.12) skips the Hash object for one-shot inputs.
  return typeof oneShotHash === 'function' ? oneShotHash('sha256', data, 'hex') : createHash('sha256').update(data).digest('hex');
}
