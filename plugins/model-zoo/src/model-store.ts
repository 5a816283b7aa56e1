import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { CONFIG_FILE, ToolError } from '@bioimageit/core';
import type { ModelDescription, WeightsDescription } from './model-description.js';
import { openModelPackage, type ModelPackage } from './package/model-package.js';
import { sha256File } from './package/package-paths.js';
import { verifyModelPackage } from './package/verify-model-package.js';

/** The setting (environment variable or workspace `settings`) naming the models folder. */
export const MODELS_DIR_SETTING = 'BIOIMAGEIT_MODELS_DIR';

/** The weights formats this plugin runs natively (ONNX Runtime). */
export const NATIVE_WEIGHTS_FORMATS: readonly WeightsDescription['format'][] = ['onnx'];

/** What the store writes next to each installed package (inside its folder). */
const INSTALL_RECORD = '.bioimageit-install.json';

/**
 * The models folder: `BIOIMAGEIT_MODELS_DIR` from `env` (relative to the workspace, else to `cwd`),
 * else `<workspace>/models` when `workspace` is a BioImageIT workspace (it holds
 * bioimageit.config.json), else `~/.cache/bioimageit/models/installed`.
 */
export function resolveModelsDir(env: Readonly<Record<string, string | undefined>>, workspace?: string, cwd: string = process.cwd()): string {
  const isWorkspace = workspace !== undefined && existsSync(path.join(workspace, CONFIG_FILE));
  const setting = env[MODELS_DIR_SETTING];
  if (setting !== undefined && setting !== '') return path.resolve(isWorkspace ? workspace : cwd, setting);
  if (isWorkspace) return path.join(workspace, 'models');
  return path.join(homedir(), '.cache', 'bioimageit', 'models', 'installed');
}

/** How the store judges an installed package. */
export type InstalledModelStatus = 'ready' | 'unsupported' | 'broken';

/**
 * One package found in the models folder (`<modelsDir>/<id>/<version>/`). `ready` ones have ONNX
 * weights and become tools; `unsupported` ones (only TorchScript, PyTorch or TensorFlow weights)
 * and `broken` ones (the rdf cannot be read) are listed with `reason`.
 */
export interface InstalledModel {
  /** The folder's `<id>` (the model's id when it is readable). */
  readonly id: string;
  readonly version: string;
  /** Absolute folder of the package (holds rdf.yaml). */
  readonly root: string;
  readonly status: InstalledModelStatus;
  readonly reason?: string;
  /** Absent for `broken` packages. */
  readonly package?: ModelPackage;
  /** The weights a tool runs (ONNX), for `ready` packages. */
  readonly weights?: WeightsDescription;
  /** sha256 of those weights: the rdf's, else computed at install. */
  readonly weightsSha256?: string;
  /** Where it was installed from and when (absent for packages copied in by hand). */
  readonly installed?: { readonly from: string; readonly at: string };
}

interface InstallRecord {
  readonly from: string;
  readonly at: string;
  readonly rdfSha256: string;
  readonly weightsSha256?: string;
}

/** What {@link ModelStore.addModel} reports. */
export interface AddedModel {
  readonly model: InstalledModel;
  /** False when the same package (same rdf sha256) was already there: nothing was copied. */
  readonly copied: boolean;
  /** True when another package of the same id and version was replaced. */
  readonly replaced: boolean;
}

/** Options of {@link ModelStore}. */
export interface ModelStoreOptions {
  /** Where `openModelPackage` extracts .zip files and downloads (default: its own). */
  readonly cacheDir?: string;
}

/** The ONNX weights of a description, or why there are none this plugin runs. */
export function nativeWeights(description: ModelDescription): { weights?: WeightsDescription; reason?: string } {
  const weights = description.weights.find((w) => NATIVE_WEIGHTS_FORMATS.includes(w.format));
  if (weights !== undefined) return { weights };
  const formats = description.weights.map((w) => w.format);
  return {
    reason: `no ONNX weights (${formats.length === 0 ? 'no weights' : `only ${formats.join(', ')}`}): this plugin runs ONNX natively; run the model with bioimage.io's Python tools or convert its weights to ONNX`,
  };
}

/** Orders versions numerically part by part (`1.10` after `1.9`), text parts by code point. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.+-]/);
  const pb = b.split(/[.+-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '';
    const y = pb[i] ?? '';
    const nx = Number(x);
    const ny = Number(y);
    const order = x !== '' && y !== '' && Number.isFinite(nx) && Number.isFinite(ny) ? nx - ny : x < y ? -1 : x > y ? 1 : 0;
    if (order !== 0) return order;
  }
  return 0;
}

/** A folder name for an id or version (no separators, no dot-only names). */
function folderName(text: string): string {
  const name = text.replace(/[^A-Za-z0-9._-]/g, '_');
  return /^\.*$/.test(name) ? `_${name}` : name;
}

/**
 * The installed models: one folder per model and version, `<modelsDir>/<id>/<version>/`, each a
 * complete copy of the package. Used by the tool source (every `ready` model is a tool), the
 * `bioimageit models` command and `run-model` (which opens the package a tool names).
 */
export class ModelStore {
  constructor(
    /** Absolute path of the models folder (see {@link resolveModelsDir}); created on first add. */
    readonly modelsDir: string,
    private readonly options: ModelStoreOptions = {},
  ) {}

  /**
   * Opens `source` (a package folder, a .zip or an http(s) URL), verifies it (rdf, files, sha256 of
   * the weights, processing, axes) and copies it to `<modelsDir>/<id>/<version>/`: into a temporary
   * folder first, renamed into place once complete, so a failing package stores nothing and a
   * reader never sees half a package. The same package again copies nothing; another package of
   * the same id and version replaces the installed one. Packages without ONNX weights are refused.
   *
   * @throws the package's errors (ToolError BAD_MANIFEST from reading and verifying); ToolError
   * BAD_MANIFEST when the package has no ONNX weights.
   */
  async addModel(source: string): Promise<AddedModel> {
    const pkg = await openModelPackage(source, this.options.cacheDir === undefined ? {} : { cacheDir: this.options.cacheDir });
    await verifyModelPackage(pkg);
    const { description } = pkg;
    const { weights, reason } = nativeWeights(description);
    if (weights === undefined) {
      throw new ToolError('BAD_MANIFEST', `${source}: model '${description.id}' cannot be installed: ${reason ?? 'no ONNX weights'}`, {
        details: { source, model: description.id },
      });
    }
    const idDir = path.join(this.modelsDir, folderName(description.id));
    const target = path.join(idDir, folderName(description.version));
    const existing = await this.readRecord(target);
    if (existing?.rdfSha256 === pkg.rdfSha256) return { model: await this.inspect(description.id, target), copied: false, replaced: false };

    const weightsSha256 = weights.sha256 ?? (await sha256File(path.resolve(pkg.root, weights.source)));
    await mkdir(idDir, { recursive: true });
    const scratch = path.join(idDir, `.adding-${process.pid}-${randomBytes(4).toString('hex')}`);
    const trash = `${scratch}.old`;
    try {
      await cp(pkg.root, scratch, { recursive: true, errorOnExist: true, force: false });
      const record: InstallRecord = { from: pkg.origin, at: new Date().toISOString(), rdfSha256: pkg.rdfSha256, weightsSha256 };
      await writeFile(path.join(scratch, INSTALL_RECORD), `${JSON.stringify(record, null, 2)}\n`);
      const replaced = existsSync(target);
      if (replaced) await rename(target, trash);
      await rename(scratch, target);
      await rm(trash, { recursive: true, force: true });
      return { model: await this.inspect(description.id, target), copied: true, replaced };
    } finally {
      await rm(scratch, { recursive: true, force: true });
      // a first version that failed to copy leaves no empty id folder behind
      if ((await readdir(idDir).catch(() => ['?'])).length === 0) await rm(idDir, { recursive: true, force: true });
    }
  }

  /** Every package in the models folder, by id then version; unreadable ones are `broken`, never thrown. */
  async listModels(): Promise<InstalledModel[]> {
    const ids = await subfolders(this.modelsDir);
    const models: InstalledModel[] = [];
    for (const id of ids) {
      for (const version of await subfolders(path.join(this.modelsDir, id))) models.push(await this.inspect(id, path.join(this.modelsDir, id, version)));
    }
    return models.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : compareVersions(a.version, b.version)));
  }

  /**
   * The installed model `id` (its newest version, or `version`). Throws ToolError NOT_FOUND naming
   * the models folder and the ids it holds.
   */
  async getModel(id: string, version?: string): Promise<InstalledModel> {
    const all = await this.listModels();
    const mine = all.filter((m) => m.id === id && (version === undefined || m.version === version));
    const found = mine.at(-1);
    if (found !== undefined) return found;
    const known = [...new Set(all.map((m) => m.id))];
    throw new ToolError(
      'NOT_FOUND',
      `no installed model '${id}'${version === undefined ? '' : ` version ${version}`} in ${this.modelsDir} (installed: ${known.join(', ') || 'none'}; add one with 'bioimageit models add SOURCE')`,
      { details: { model: id, modelsDir: this.modelsDir } },
    );
  }

  private async readRecord(root: string): Promise<InstallRecord | undefined> {
    try {
      return JSON.parse(await readFile(path.join(root, INSTALL_RECORD), 'utf8')) as InstallRecord;
    } catch {
      return undefined;
    }
  }

  private async inspect(folderId: string, root: string): Promise<InstalledModel> {
    const folderVersion = path.basename(root);
    let pkg: ModelPackage;
    try {
      pkg = await openModelPackage(root);
    } catch (error) {
      return { id: folderId, version: folderVersion, root, status: 'broken', reason: error instanceof Error ? error.message : String(error) };
    }
    const record = await this.readRecord(root);
    const { description } = pkg;
    const common = {
      id: description.id,
      version: description.version,
      root,
      package: pkg,
      ...(record !== undefined && { installed: { from: record.from, at: record.at } }),
    };
    const { weights, reason } = nativeWeights(description);
    if (weights === undefined) return { ...common, status: 'unsupported', reason: reason ?? 'no ONNX weights' };
    const weightsSha256 = weights.sha256 ?? record?.weightsSha256 ?? (await sha256File(path.resolve(root, weights.source)).catch(() => undefined));
    return { ...common, status: 'ready', weights, ...(weightsSha256 !== undefined && { weightsSha256 }) };
  }
}

async function subfolders(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}
