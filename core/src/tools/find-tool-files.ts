import type { Dirent } from 'node:fs';
import { open, readdir, realpath, stat, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ToolError } from '../errors/area-errors.js';
import { loadToolManifest } from './load-tool-manifest.js';
import { loadV1Wrapper } from './load-v1-wrapper.js';
import type { ToolManifest } from './tool-manifest.js';
import type { ToolLoadOptions } from './v1-quirks.js';

/** A file that looked like a tool but could not be used, or a folder that could not be searched. */
export interface ToolLoadProblem {
  readonly file: string;
  readonly error: ToolError;
}

/** Native manifests end with this suffix. */
export const NATIVE_MANIFEST_SUFFIX = '.tool.json';

const TOOL_ROOT = /^\ufeff?\s*(?:<\?[\s\S]*?\?>\s*|<!--[\s\S]*?-->\s*|<!DOCTYPE[^>[]*>\s*)*<tool[\s/>]/;
const SKIPPED_FOLDERS = new Set(['node_modules', 'test-data']);

/**
 * Finds tool files below `folders`, recursively, in a stable order (folders as given, then names
 * sorted, depth first): native manifests (`*.tool.json`), and v1 wrappers (`*.xml` in a folder holding a
 * `.shed.yml`, or any `*.xml` whose root element is `<tool>`). Hidden folders, `node_modules` and
 * `test-data` are skipped; symbolic links are followed once. Missing folders are reported as
 * NOT_FOUND problems instead of failing the search.
 */
export async function findToolFiles(folders: readonly string[]): Promise<{ files: string[]; problems: ToolLoadProblem[] }> {
  const files: string[] = [];
  const problems: ToolLoadProblem[] = [];
  const seen = new Set<string>();
  const walk = async (folder: string): Promise<void> => {
    let entries: Dirent[];
    try {
      const real = await realpath(folder);
      if (seen.has(real)) return;
      seen.add(real);
      entries = await readdir(folder, { withFileTypes: true });
    } catch (cause) {
      const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
      const why = missing ? 'tool folder does not exist' : `cannot search tool folder (${(cause as Error).message})`;
      const error = new ToolError(missing ? 'NOT_FOUND' : 'BAD_MANIFEST', `${folder}: ${why}`, { cause, details: { file: folder } });
      problems.push({ file: folder, error });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const hasShed = entries.some((e) => e.name === '.shed.yml');
    for (const entry of entries) {
      const path = join(folder, entry.name);
      const kind = await entryKind(entry, path);
      if (kind === 'dir' && !entry.name.startsWith('.') && !SKIPPED_FOLDERS.has(entry.name)) await walk(path);
      else if (kind === 'file' && entry.name.endsWith(NATIVE_MANIFEST_SUFFIX)) files.push(path);
      else if (kind === 'file' && entry.name.toLowerCase().endsWith('.xml') && (hasShed || (await hasToolRoot(path)))) files.push(path);
    }
  };
  for (const folder of folders) await walk(resolve(folder));
  return { files, problems };
}

async function entryKind(entry: Dirent, path: string): Promise<'dir' | 'file' | 'other'> {
  if (entry.isSymbolicLink()) {
    const target = await stat(path).catch(() => undefined);
    return target === undefined ? 'other' : target.isDirectory() ? 'dir' : target.isFile() ? 'file' : 'other';
  }
  return entry.isDirectory() ? 'dir' : entry.isFile() ? 'file' : 'other';
}

/** True when the file's root element is `<tool>`; reads at most the first 64 KiB. */
async function hasToolRoot(path: string): Promise<boolean> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'r');
    const buffer = Buffer.alloc(65536);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return TOOL_ROOT.test(buffer.subarray(0, bytesRead).toString('utf8'));
  } catch {
    return false;
  } finally {
    await handle?.close();
  }
}

/**
 * Loads one tool file by its name: `*.tool.json` as a native manifest, anything else as a v1 XML
 * wrapper (whose v1 quirks go to `options.onWarning`, or are refused with `options.strict`). Used
 * by `bioimageit tools validate FILE` and by {@link DirectoryToolSource}.
 *
 * @throws ToolError NOT_FOUND or BAD_MANIFEST naming the file.
 */
export async function loadToolFile(path: string, options: ToolLoadOptions = {}): Promise<ToolManifest> {
  return path.endsWith(NATIVE_MANIFEST_SUFFIX) ? loadToolManifest(path) : loadV1Wrapper(path, options);
}
