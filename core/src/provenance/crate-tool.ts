import { stat } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { orcidUrl, parseOrcid } from '../config/parse-orcid.js';
import type { RunRecord } from '../model/run.js';
import type { ToolManifest } from '../tools/tool-manifest.js';
import { loadToolFile } from '../tools/find-tool-files.js';
import { licenseEntity } from './crate-license.js';
import { fileDigest } from './file-digest.js';
import { present } from './provenance-snapshot.js';
import type { RoCrateEntity, RoCrateReference } from './ro-crate-types.js';

const ref = (id: string): RoCrateReference => ({ '@id': id });
const seg = (s: string): string => encodeURIComponent(s);

/** A file the crate copies from `sourcePath` to `relativePath` (`/`-separated). */
export interface CrateCopy {
  readonly relativePath: string;
  readonly sourcePath: string;
}

/** The entities describing one tool, and the files of its code the crate must hold. */
export interface CrateTool {
  /** The SoftwareApplication's `@id` (actions' `instrument`, HowToSteps' `workExample`). */
  readonly id: string;
  readonly entities: readonly RoCrateEntity[];
  readonly copies: readonly CrateCopy[];
  /** The tool's folder in the crate (a Dataset entity among `entities`) when its code is included. */
  readonly folder?: string;
}

/** Local id of a run's tool: its digest, else id@version (v1 runs record no digest). */
export function toolId(run: RunRecord): string {
  return `#tool/${seg(present(run.tool.digest) ? run.tool.digest : `${run.tool.id}@${run.tool.version}`)}`;
}

/** A Person named by a manifest's author text: `Name (ORCID 0000-…)` gets its ORCID URL as @id. */
function authorEntity(text: string): RoCrateEntity {
  const match = /^(.*?)\s*\(\s*ORCID:?\s*([^)\s]+)\s*\)\s*$/i.exec(text);
  const orcid = match?.[2] === undefined ? undefined : parseOrcid(match[2]);
  if (match !== null && orcid !== undefined) return { '@id': orcidUrl(orcid), '@type': 'Person', name: (match[1] ?? '').trim() || text };
  return { '@id': `#person/${seg(text)}`, '@type': 'Person', name: text };
}

/** The manifest at the run's source when it still is the tool that ran (same digest, or id+version for v1). */
async function manifestThatRan(run: RunRecord): Promise<ToolManifest | undefined> {
  if (!present(run.tool.source) || run.tool.source.startsWith('plugin:')) return undefined;
  const loaded = await loadToolFile(run.tool.source).catch(() => undefined);
  if (loaded === undefined) return undefined;
  const same = present(run.tool.digest) ? loaded.digest === run.tool.digest : loaded.id === run.tool.id && loaded.version === run.tool.version;
  return same ? loaded : undefined;
}

/** Files the manifest's command (`{tool.dir}/script.mjs`) and conda file name in the tool's folder, manifest first. */
async function codeFiles(manifest: ToolManifest): Promise<string[]> {
  const dir = dirname(manifest.source);
  const named = new Set<string>([manifest.source]);
  for (const arg of manifest.command.argv) for (const m of arg.matchAll(/\{tool\.dir\}[/\\]([^\s{}'"=]+)/g)) named.add(join(dir, m[1] ?? ''));
  if (manifest.requirements.conda?.file !== undefined) named.add(join(dir, manifest.requirements.conda.file));
  const files: string[] = [];
  for (const path of named) {
    const inside = relative(dir, path);
    if (inside.startsWith('..') || (await stat(path).catch(() => undefined))?.isFile() !== true) continue;
    files.push(path);
  }
  return files;
}

/** Media type of a tool's code file, by extension. */
function codeMediaType(path: string): string {
  const ext = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  const types: Record<string, string> = {
    json: 'application/json',
    xml: 'application/xml',
    mjs: 'text/javascript',
    js: 'text/javascript',
    cjs: 'text/javascript',
    py: 'text/x-python',
    sh: 'application/x-sh',
    r: 'text/x-r',
    ijm: 'text/plain',
    yml: 'application/yaml',
    yaml: 'application/yaml',
    txt: 'text/plain',
  };
  return types[ext] ?? 'application/octet-stream';
}

/**
 * Describes a run's tool as a SoftwareApplication: name, `version`, `identifier` (the manifest
 * digest), `url` (the manifest's homepage), `license` (a licence entity), `author` (Persons, by
 * ORCID when the manifest gives one), `citation` (DOIs as https://doi.org URLs), facts as
 * PropertyValues. When the manifest at the run's `source` is still the one that ran and is a
 * file of the user's own (not a plugin's, not inside an installed package), its code — the
 * manifest and the files its command names under `{tool.dir}` — is included under
 * `<toolsFolder>/<id>-<version>/` (a Dataset) as Files with `encodingFormat`, listed in the tool's
 * `hasPart`; otherwise the tool is referenced by id, version and digest, and its description says
 * where it came from. `takenFolders` keeps folder names unique across the crate.
 */
export async function toolEntities(run: RunRecord, toolsFolder: string, takenFolders: Set<string>): Promise<CrateTool> {
  const id = toolId(run);
  const { tool } = run;
  const manifest = await manifestThatRan(run);
  const installed = manifest !== undefined && manifest.source.split(sep).includes('node_modules');
  const facts: RoCrateEntity[] = Object.entries(tool.facts ?? {}).map(([name, value]) => ({
    '@id': `${id}/fact/${seg(name)}`,
    '@type': 'PropertyValue',
    name,
    value,
  }));
  const authors = (tool.authors ?? manifest?.authors ?? []).map(authorEntity);
  const license = tool.license ?? manifest?.license;
  const licence = license === undefined ? undefined : licenseEntity(license);
  const cite = tool.cite ?? manifest?.cite ?? [];
  const entities: RoCrateEntity[] = [];
  const copies: CrateCopy[] = [];
  let folder: string | undefined;
  const parts: RoCrateReference[] = [];
  if (manifest !== undefined && !installed) {
    let name = `${tool.id}-${present(tool.version) ? tool.version : 'unversioned'}`.replace(/[/\\\0]/g, '_');
    if (takenFolders.has(name.toLowerCase()))
      name = `${name}-${(present(tool.digest) ? tool.digest.replace(/^sha256:/, '') : String(takenFolders.size)).slice(0, 12)}`;
    takenFolders.add(name.toLowerCase());
    folder = `${toolsFolder}/${name}/`;
    for (const path of await codeFiles(manifest)) {
      const inside = relative(dirname(manifest.source), path).split(sep);
      const relativePath = `${toolsFolder}/${name}/${inside.join('/')}`;
      const digest = await fileDigest(path);
      const fileId = relativePath.split('/').map(seg).join('/');
      copies.push({ relativePath, sourcePath: path });
      parts.push(ref(fileId));
      entities.push({
        '@id': fileId,
        '@type': 'File',
        name: basename(path),
        description: path === manifest.source ? `Tool manifest of ${tool.id} ${tool.version}` : `Code of ${tool.id} ${tool.version}, run by its command`,
        contentSize: String(digest.size),
        sha256: digest.sha256,
        encodingFormat: codeMediaType(path),
      });
    }
    entities.unshift({
      '@id': folder.split('/').map(seg).join('/'),
      '@type': 'Dataset',
      name: `Code of the tool ${tool.name || tool.id} ${tool.version}`,
      description: `The manifest and the scripts of the BioImageIT tool ${tool.id} ${tool.version} as they ran (manifest digest ${tool.digest || 'not recorded'}).`,
      hasPart: parts,
    });
  }
  const where =
    manifest === undefined
      ? present(tool.source)
        ? tool.source.startsWith('plugin:')
          ? ` provided by the plugin ${tool.source.slice('plugin:'.length)} (install it at this version to run it again; its code is not included)`
          : ` loaded from ${tool.source} (not included: the file is gone or has changed since the run)`
        : ''
      : installed
        ? ` from the installed package at ${dirname(manifest.source)} (referenced by id, version and digest; not included)`
        : ` loaded from ${tool.source} (its manifest and scripts are included under ${folder ?? ''})`;
  const application: RoCrateEntity = {
    '@id': id,
    '@type': 'SoftwareApplication',
    name: present(tool.name) ? tool.name : tool.id,
    alternateName: tool.id,
    ...(present(tool.version) && { version: tool.version, softwareVersion: tool.version }),
    ...(present(tool.digest) && { identifier: tool.digest }),
    description: `BioImageIT tool ${tool.id}${where}.${manifest?.description !== undefined && manifest.description !== '' ? ` ${manifest.description}` : ''}`,
    ...(manifest?.homepage !== undefined && { url: manifest.homepage }),
    ...(licence !== undefined && { license: ref(licence['@id']) }),
    ...(authors.length > 0 && { author: authors.map((a) => ref(a['@id'])) }),
    ...(facts.length > 0 && { additionalProperty: facts.map((f) => ref(f['@id'])) }),
    ...(cite.length > 0 && {
      citation: cite.map((c) => (c.doi !== undefined ? `https://doi.org/${c.doi.replace(/^https?:\/\/(dx\.)?doi\.org\//, '')}` : (c.url ?? c.text))),
    }),
    ...(parts.length > 0 && { hasPart: parts }),
  };
  return {
    id,
    entities: [application, ...facts, ...authors, ...(licence === undefined ? [] : [licence]), ...entities],
    copies,
    ...(folder !== undefined && { folder }),
  };
}
