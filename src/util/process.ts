import { isNodeError } from '../errors.js';

/** Whether a process with this id runs (signal 0 checks without signalling; EPERM means it runs as another user). */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return isNodeError(error) && error.code === 'EPERM';
  }
}
