import { ToolError } from '@bioimageit/core';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ModelDescription } from '../model-description.js';
import { readNpy } from '../tensor/npy.js';
import { download, type DownloadOptions } from './package-download.js';
import { defaultModelsCacheDir, isUrl, resolveInside, sha256Hex } from './package-paths.js';
import { looksLikeZip, unpackZip } from './package-zip.js';
import { readModelRdf } from './parse-model-rdf.js';

/**
 * Opening a BioImage Model Zoo package from a folder, an rdf file, a `.zip` or an `http(s)://` URL
 * (of a zip or of an rdf). Zips and downloads land in the models cache; the package is then a local
 * folder holding the rdf and the files it names.
 */

/** A model package on this machine. */
export interface ModelPackage {
  /** The local folder holding the rdf and its files. */
  readonly root: string;
  /** The rdf file (`rdf.yaml`, `bioimageio.yaml` or `*.rdf.yaml`) inside `root`. */
  readonly rdfFile: string;
  /** What the user gave: a path (made absolute) or a URL (with any `#sha256=` suffix). */
  readonly origin: string;
  /** Lower-case hex sha256 of the rdf file's bytes. */
  readonly rdfSha256: string;
  readonly description: ModelDescription;
}

/** Options of {@link openModelPackage}. */
export interface OpenModelPackageOptions extends DownloadOptions {
  /** Where zips are unpacked and downloads stored (default: {@link defaultModelsCacheDir}). */
  readonly cacheDir?: string;
}

const RDF_NAMES = ['bioimageio.yaml', 'rdf.yaml'];
const COMPLETE = '.complete';

/** The rdf of a package folder, or `undefined` when it has none; throws when several `*.rdf.yaml` compete. */
function rdfIn(folder: string): string | undefined {
  const names = readdirSync(folder);
  for (const name of RDF_NAMES) if (names.includes(name)) return path.join(folder, name);
  const candidates = names.filter((n) => n.endsWith('.rdf.yaml') || n.endsWith('.bioimageio.yaml'));
  if (candidates.length > 1) {
    throw new ToolError('NOT_FOUND', `${folder}: several rdf files (${candidates.sort().join(', ')}); name the one to open`, {
      details: { folder, candidates },
    });
  }
  return candidates.length === 1 ? path.join(folder, candidates[0]!) : undefined;
}

/** The rdf of a folder, also looking into a single subfolder (zips often wrap the package in one). */
function findRdf(folder: string, origin: string): string {
  const direct = rdfIn(folder);
  if (direct !== undefined) return direct;
  const subfolders = readdirSync(folder, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith('.') && e.name !== '__MACOSX');
  if (subfolders.length === 1) {
    const nested = rdfIn(path.join(folder, subfolders[0]!.name));
    if (nested !== undefined) return nested;
  }
  throw new ToolError('NOT_FOUND', `${origin}: no model rdf found (looked for bioimageio.yaml, rdf.yaml or one *.rdf.yaml)`, { details: { source: origin } });
}

/** The dtype of a test tensor of `root`, read from the .npy file, or undefined. */
function npyDType(root: string): (relative: string) => string | undefined {
  return (relative) => {
    const file = resolveInside(root, relative);
    if (file === undefined || !existsSync(file)) return undefined;
    try {
      return readNpy(readFileSync(file), relative).dtype;
    } catch {
      return undefined;
    }
  };
}

function loadPackage(rdfFile: string, origin: string): ModelPackage {
  const bytes = readFileSync(rdfFile);
  const root = path.dirname(rdfFile);
  const { description } = readModelRdf(bytes.toString('utf8'), rdfFile, { testTensorDType: npyDType(root) });
  return { root, rdfFile, origin, rdfSha256: sha256Hex(bytes), description };
}

/** Fills `target` through `fill` in a scratch folder renamed into place, so that it appears complete or not at all. */
async function materialize(target: string, fill: (scratch: string) => void | Promise<void>): Promise<void> {
  if (existsSync(path.join(target, COMPLETE))) return;
  const scratch = `${target}.tmp-${String(process.pid)}-${randomBytes(4).toString('hex')}`;
  try {
    mkdirSync(scratch, { recursive: true });
    await fill(scratch);
    writeFileSync(path.join(scratch, COMPLETE), '');
    rmSync(target, { recursive: true, force: true });
    renameSync(scratch, target);
  } catch (error) {
    if (!existsSync(path.join(target, COMPLETE))) throw error;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Unpacks zip bytes into `<cache>/packages/<sha256>` (once) and returns that folder. */
async function unpackToCache(bytes: Uint8Array, cacheDir: string, zipName: string): Promise<string> {
  const target = path.join(cacheDir, 'packages', sha256Hex(bytes));
  await materialize(target, (scratch) => unpackZip(bytes, scratch, zipName));
  return target;
}

function parseSha256Suffix(source: string): { url: string; sha256?: string } {
  const match = /#sha256=([0-9a-fA-F]{64})$/.exec(source);
  if (match === null) return { url: source.replace(/#.*$/, '') };
  return { url: source.slice(0, match.index).replace(/#.*$/, ''), sha256: match[1]!.toLowerCase() };
}

function checkDownloadHash(bytes: Uint8Array, expected: string | undefined, url: string): void {
  if (expected === undefined) return;
  const actual = sha256Hex(bytes);
  if (actual !== expected) {
    throw new ToolError('BAD_PARAMETER', `${url}: the download has sha256 ${actual}, not the expected ${expected}`, { details: { url, expected, actual } });
  }
}

/** The files an rdf downloaded from `url` names by relative path, fetched next to it into `folder`. */
async function fetchNamedFiles(folder: string, rdfFile: string, url: string, options: OpenModelPackageOptions): Promise<void> {
  const { files } = readModelRdf(readFileSync(rdfFile, 'utf8'), url);
  const seen = new Set<string>();
  for (const ref of files) {
    if (isUrl(ref.path) || seen.has(ref.path)) continue;
    seen.add(ref.path);
    const target = resolveInside(folder, ref.path);
    if (target === undefined) {
      throw new ToolError('BAD_MANIFEST', `${url}: ${ref.field}: path '${ref.path}' escapes the package folder`, { details: { file: url, field: ref.field } });
    }
    const bytes = await download(new URL(ref.path, url).href, options);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, bytes);
  }
}

async function openUrl(source: string, cacheDir: string, options: OpenModelPackageOptions): Promise<ModelPackage> {
  const { url, sha256 } = parseSha256Suffix(source);
  const folder = path.join(cacheDir, 'downloads', sha256Hex(url));
  const zipFile = path.join(folder, 'package.zip');
  await materialize(folder, async (scratch) => {
    const bytes = await download(url, options);
    checkDownloadHash(bytes, sha256, url);
    if (looksLikeZip(bytes)) {
      writeFileSync(path.join(scratch, 'package.zip'), bytes);
      return;
    }
    const base = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
    const rdfFile = path.join(scratch, 'package', base.endsWith('.yaml') || base.endsWith('.yml') ? base : 'rdf.yaml');
    mkdirSync(path.dirname(rdfFile), { recursive: true });
    writeFileSync(rdfFile, bytes);
    await fetchNamedFiles(path.dirname(rdfFile), rdfFile, url, options);
  });
  if (existsSync(zipFile)) {
    const bytes = readFileSync(zipFile);
    checkDownloadHash(bytes, sha256, url);
    return loadPackage(findRdf(await unpackToCache(bytes, cacheDir, url), url), source);
  }
  const rdfFile = findRdf(path.join(folder, 'package'), url);
  checkDownloadHash(readFileSync(rdfFile), sha256, url);
  return loadPackage(rdfFile, source);
}

/**
 * Opens a model package and parses its rdf (see `parseModelRdf`); {@link verifyModelPackage} then
 * checks its files. `source` is:
 * - a folder holding `bioimageio.yaml`, `rdf.yaml` or a single `*.rdf.yaml` (or one subfolder that does);
 * - the path of such a yaml file;
 * - a `.zip`, unpacked into `<cacheDir>/packages/<sha256 of the zip>` (once);
 * - an `http(s)://` URL of a zip or of an rdf, downloaded into `<cacheDir>/downloads/<sha256 of the
 *   URL>` (once; later calls use the cache without network); a `#sha256=<hex>` suffix is checked
 *   against the downloaded bytes; the files an rdf names by relative path are fetched next to it.
 *
 * @throws ToolError `NOT_FOUND` for a path that does not exist or a folder without an rdf;
 *   `SOURCE_UNAVAILABLE` naming the URL when a download fails (after retries); `BAD_PARAMETER`
 *   when a `#sha256=` does not match; `BAD_MANIFEST` for a zip entry escaping the folder, a bad
 *   zip or a bad rdf.
 */
export async function openModelPackage(source: string, options: OpenModelPackageOptions = {}): Promise<ModelPackage> {
  const cacheDir = path.resolve(options.cacheDir ?? defaultModelsCacheDir());
  if (isUrl(source)) return openUrl(source, cacheDir, options);
  const full = path.resolve(source);
  if (!existsSync(full)) throw new ToolError('NOT_FOUND', `model package '${source}' does not exist`, { details: { source } });
  if (statSync(full).isDirectory()) return loadPackage(findRdf(full, full), full);
  if (full.toLowerCase().endsWith('.zip')) {
    const bytes = readFileSync(full);
    return loadPackage(findRdf(await unpackToCache(bytes, cacheDir, full), full), full);
  }
  const bytes = readFileSync(full);
  if (looksLikeZip(bytes)) return loadPackage(findRdf(await unpackToCache(bytes, cacheDir, full), full), full);
  return loadPackage(full, full);
}
