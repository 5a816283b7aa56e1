import { StorageError, type StorageErrorCode } from '@bioimageit/core';

/** The `code` of a Node.js system error (`ENOENT`, `EEXIST`...), when `error` is one. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const code = (error as { code: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Turns a file-system failure into a StorageError naming `file`: a missing file is NOT_FOUND,
 * anything else IO. StorageErrors pass through unchanged.
 */
export function storageFailure(error: unknown, action: string, file: string): StorageError {
  if (error instanceof StorageError) return error;
  const errno = errnoCode(error);
  const code: StorageErrorCode = errno === 'ENOENT' || errno === 'ENOTDIR' ? 'NOT_FOUND' : 'IO';
  const why = error instanceof Error ? error.message : String(error);
  return new StorageError(code, `cannot ${action} '${file}': ${why}`, { cause: error, details: { file, errno } });
}

/** A CORRUPT StorageError naming the metadata file that cannot be used. */
export function corruptFile(file: string, why: string, cause?: unknown): StorageError {
  return new StorageError('CORRUPT', `corrupt metadata file '${file}': ${why}`, { cause, details: { file } });
}
