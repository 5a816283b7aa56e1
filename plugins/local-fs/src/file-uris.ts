import path from 'node:path';
import { fileUri } from './path-safety.js';

const PLAIN_NAME = /^[A-Za-z0-9._~-]+$/;

/**
 * Paths and URIs of the files of one folder, computed cheaply: names made of URL-safe
 * characters are appended to the folder's URI by concatenation, others go through
 * `pathToFileURL`. Used to map 100,000 items without 200,000 URL constructions.
 */
export class FolderUris {
  readonly uri: string;

  constructor(readonly dir: string) {
    const uri = fileUri(dir);
    this.uri = uri.endsWith('/') ? uri.slice(0, -1) : uri;
  }

  /** True when `url` names a file directly in this folder (no separator, no dot segment). */
  static isPlainChild(url: string): boolean {
    return PLAIN_NAME.test(url) && url !== '.' && url !== '..';
  }

  /** Absolute path of the direct child `name`. */
  path(name: string): string {
    return path.join(this.dir, name);
  }

  /** URI of the direct child `name`. */
  childUri(name: string): string {
    return PLAIN_NAME.test(name) ? `${this.uri}/${name}` : fileUri(path.join(this.dir, name));
  }
}
