import { open } from 'node:fs/promises';
import { signatureOf, type FileSignature } from './file-signature.js';
import { corruptFile, storageFailure } from './storage-failure.js';

/** A parsed JSON file together with the signature of the exact version that was read. */
export interface JsonFileContent {
  readonly value: unknown;
  readonly signature: FileSignature;
}

/**
 * Reads and parses a JSON file. The signature comes from the open descriptor, so it describes
 * the bytes that were parsed even when the file is replaced meanwhile.
 * Throws StorageError NOT_FOUND (missing), CORRUPT (not JSON) or IO, naming the file.
 */
export async function readJsonFile(file: string): Promise<JsonFileContent> {
  let text: string;
  let signature: FileSignature;
  try {
    const handle = await open(file, 'r');
    try {
      signature = signatureOf(await handle.stat());
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw storageFailure(error, 'read', file);
  }
  try {
    return { value: JSON.parse(text) as unknown, signature };
  } catch (error) {
    throw corruptFile(file, error instanceof Error ? error.message : String(error), error);
  }
}
