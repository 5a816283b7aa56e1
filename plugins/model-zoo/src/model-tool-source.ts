import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createToolManifest,
  ToolError,
  type ToolDescriptor,
  type ToolInput,
  type ToolManifest,
  type ToolManifestBody,
  type ToolOutput,
  type ToolSource,
} from '@bioimageit/core';
import type { ModelDescription, PersonDescription } from './model-description.js';
import type { InstalledModel, ModelStore } from './model-store.js';

/** The plugin id, also the id of its tool source. */
export const MODEL_ZOO_PLUGIN_ID = 'model-zoo';

/** Tool ids of models are `model.<model id>`. */
export const MODEL_TOOL_PREFIX = 'model.';

/** The script every model tool starts (`{env.node} run-model.mjs --model ROOT ...`); the same path from `src/` and `dist/`. */
export const RUN_MODEL_SCRIPT = fileURLToPath(new URL('../tools/run-model.mjs', import.meta.url));

/** The names of the two parameters every model tool has. */
export const MODEL_TOOL_PARAMS = { tile: 'tile', threads: 'threads' } as const;

/** Lower-case tool id segment of a model id (`affable-shark` stays; `10.5281/zenodo.1` → `10_5281-zenodo_1`). */
export function modelToolId(modelId: string): string {
  const slug = modelId
    .toLowerCase()
    .replace(/\//g, '-')
    .replace(/[^a-z0-9_-]/g, '_')
    .replace(/^[^a-z0-9]+/, '');
  return `${MODEL_TOOL_PREFIX}${slug === '' ? 'model' : slug}`;
}

const TOOL_VERSION = /^\d+(?:\.\d+){0,3}(?:[-+][0-9A-Za-z.+-]+)?$/;
const PLACEHOLDER_NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;

/** `Name (ORCID 0000-…)`, or the name alone. */
export function personText(person: PersonDescription): string {
  return person.orcid === undefined ? person.name : `${person.name} (ORCID ${person.orcid})`;
}

/** The first paragraph of a markdown text that is not a heading, an image, a list, a table or code (undefined when none). */
export function firstParagraph(markdown: string): string | undefined {
  const blocks = markdown
    .replace(/\r\n?/g, '\n')
    .replace(/^(```|~~~)[\s\S]*?^\1.*$/gm, '')
    .split(/\n\s*\n/);
  for (const block of blocks) {
    const text = block.trim();
    if (text !== '' && !/^(#|!\[|<|\||[-*+]\s|\d+\.\s|>)/.test(text)) return text.replace(/\s+/g, ' ');
  }
  return undefined;
}

/** The names of a tool's data inputs and outputs for a model's tensors: the tensor id, made a placeholder name and unique. */
export function tensorNames(description: ModelDescription): { inputs: ReadonlyMap<string, string>; outputs: ReadonlyMap<string, string> } {
  const taken = new Set<string>(Object.values(MODEL_TOOL_PARAMS));
  const name = (id: string, kind: 'input' | 'output') => {
    let candidate = PLACEHOLDER_NAME.test(id) ? id : id.replace(/[^A-Za-z0-9_-]/g, '_').replace(/^-/, '_');
    if (candidate === '' || taken.has(candidate)) candidate = `${kind}_${candidate}`;
    for (let k = 2; taken.has(candidate); k++) candidate = `${kind}_${id.replace(/[^A-Za-z0-9_-]/g, '_')}_${k}`;
    taken.add(candidate);
    return candidate;
  };
  return {
    inputs: new Map(description.inputs.map((t) => [t.id, name(t.id, 'input')])),
    outputs: new Map(description.outputs.map((t) => [t.id, name(t.id, 'output')])),
  };
}

function axesText(axes: ModelDescription['inputs'][number]['axes']): string {
  return axes
    .map((a) => {
      const size = a.size;
      if (typeof size === 'number') return `${a.id}=${size}`;
      if ('min' in size) return `${a.id}=${size.min}+k·${size.step}`;
      return `${a.id}=${size.reference.tensor}.${size.reference.axis}`;
    })
    .join(', ');
}

/** What {@link modelToolManifest} needs besides the installed model. */
export interface ModelToolContext {
  /** The ONNX Runtime in use (`runtimeDescription()`), recorded in the facts. */
  readonly runtime: string;
  /** The documentation's text, when the package has one. */
  readonly documentation?: string;
  /** The script the tool starts; default {@link RUN_MODEL_SCRIPT}. */
  readonly script?: string;
}

/**
 * The tool manifest body of a `ready` installed model: id `model.<id>`, the model's version, one
 * `imagetiff` data input per input tensor, the parameters `tile` and `threads`, one OME-TIFF output
 * per output tensor (`{input.stem}_<tensor id>`), a command that starts `tools/run-model.mjs` with
 * Node, and who made it, its licence, citations and the facts recorded with every run (model id,
 * version, format version, weights format and sha256, runtime; `cover`: the first cover image,
 * relative to the package folder, which is the manifest's folder).
 *
 * @throws ToolError BAD_MANIFEST when the model has no ONNX weights (not `ready`).
 */
export function modelToolManifest(model: InstalledModel, context: ModelToolContext): ToolManifestBody {
  const pkg = model.package;
  if (model.status !== 'ready' || pkg === undefined || model.weights === undefined) {
    throw new ToolError('BAD_MANIFEST', `model '${model.id}' (${model.root}) is not runnable: ${model.reason ?? model.status}`, {
      details: { model: model.id, file: model.root },
    });
  }
  const d = pkg.description;
  const names = tensorNames(d);
  const inputs: ToolInput[] = d.inputs.map((t) => ({
    name: names.inputs.get(t.id) as string,
    type: 'data',
    format: 'imagetiff',
    label: `${t.id} (${axesText(t.axes)}, ${t.dataType})`,
    ...(t.description !== '' && { help: t.description }),
  }));
  inputs.push(
    {
      name: MODEL_TOOL_PARAMS.tile,
      type: 'int',
      label: 'Tile size (pixels per spatial axis; 0 = automatic)',
      default: 0,
      min: 0,
      max: 65536,
      help: 'Images larger than a tile are cut into overlapping tiles (the halo of the outputs is cropped) and stitched. 0 picks a size from the model and the image.',
      advanced: true,
    },
    {
      name: MODEL_TOOL_PARAMS.threads,
      type: 'int',
      label: 'Threads (0 = ONNX Runtime default)',
      default: 0,
      min: 0,
      max: 256,
      advanced: true,
    },
  );
  const outputs: ToolOutput[] = d.outputs.map((t) => ({
    name: names.outputs.get(t.id) as string,
    format: 'imagetiff',
    label: `${t.id} (${axesText(t.axes)}${t.axes.some((a) => (a.halo ?? 0) > 0) ? `, halo ${Math.max(...t.axes.map((a) => a.halo ?? 0))}` : ''})`,
    template: `{input.stem}_${t.id.replace(/[^A-Za-z0-9_.-]/g, '_')}`,
    extension: '.ome.tif',
  }));
  const argv = [
    '{env.node}',
    context.script ?? RUN_MODEL_SCRIPT,
    '--model',
    model.root,
    ...d.inputs.flatMap((t) => [`--input-${t.id}`, `{inputs.${names.inputs.get(t.id) as string}}`]),
    ...d.outputs.flatMap((t) => [`--output-${t.id}`, `{outputs.${names.outputs.get(t.id) as string}}`]),
    '--tile',
    `{params.${MODEL_TOOL_PARAMS.tile}}`,
    '--threads',
    `{params.${MODEL_TOOL_PARAMS.threads}}`,
  ];
  const facts: Record<string, string> = {
    'model.id': d.id,
    'model.version': d.version,
    'model.format_version': d.formatVersion,
    'model.rdf_sha256': pkg.rdfSha256,
    'weights.format': model.weights.format,
    ...(model.weightsSha256 !== undefined && { 'weights.sha256': model.weightsSha256 }),
    runtime: context.runtime,
    ...(d.covers[0] !== undefined && !/^[a-z]+:\/\//i.test(d.covers[0]) && { cover: d.covers[0] }),
  };
  const help = (context.documentation !== undefined ? firstParagraph(context.documentation) : undefined) ?? d.description;
  return {
    id: modelToolId(d.id),
    name: d.name,
    version: TOOL_VERSION.test(d.version) ? d.version : `0.0.0+${d.version.replace(/[^0-9A-Za-z.-]/g, '-')}`,
    description: d.description === '' ? `BioImage Model Zoo model ${d.id}` : d.description,
    categories: ['Deep learning'],
    inputs,
    outputs,
    command: { argv },
    requirements: {},
    resources: { timeoutS: 6 * 3600 },
    type: 'map',
    tests: [],
    help,
    owner: MODEL_ZOO_PLUGIN_ID,
    ...(d.authors.length > 0 && { authors: d.authors.map(personText) }),
    ...(d.license !== '' && { license: d.license }),
    ...(d.cite.length > 0 && {
      cite: d.cite.map((c) => ({ text: c.text, ...(c.doi !== undefined && { doi: c.doi }), ...(c.url !== undefined && { url: c.url }) })),
    }),
    facts,
  };
}

/**
 * The tool source `model-zoo`: every `ready` model of the store (its newest version) as the tool
 * `model.<id>`. The store is read on each call, so a model added by `bioimageit models add` shows
 * up without a restart; manifests are kept while the package's rdf is unchanged.
 */
export class ModelToolSource implements ToolSource {
  readonly id = MODEL_ZOO_PLUGIN_ID;
  private readonly cache = new Map<string, ToolManifest>();

  constructor(
    private readonly store: ModelStore,
    /** The runtime to record (`runtimeDescription`), asked once. */
    private readonly runtime: () => string | Promise<string>,
    private readonly script: string = RUN_MODEL_SCRIPT,
  ) {}

  /** The newest `ready` version of each installed model, by tool id. */
  private async models(): Promise<Map<string, InstalledModel>> {
    const byTool = new Map<string, InstalledModel>();
    for (const model of await this.store.listModels()) if (model.status === 'ready') byTool.set(modelToolId(model.id), model);
    return byTool;
  }

  async listTools(): Promise<readonly ToolDescriptor[]> {
    const tools = await Promise.all([...(await this.models()).values()].map((m) => this.manifest(m)));
    return tools.map((t) => ({ id: t.id, name: t.name, version: t.version, description: t.description, source: t.source }));
  }

  /** The manifest of `model.<id>` (or `model.<id>_v<version>`). Throws ToolError NOT_FOUND naming the installed models. */
  async getTool(id: string): Promise<ToolManifest> {
    const models = await this.models();
    const model = models.get(id) ?? [...models.entries()].find(([toolId, m]) => `${toolId}_v${m.version}` === id)?.[1];
    if (model !== undefined) return this.manifest(model);
    throw new ToolError(
      'NOT_FOUND',
      `no model tool '${id}' in ${this.store.modelsDir} (installed: ${[...models.keys()].join(', ') || 'none'}; add one with 'bioimageit models add SOURCE')`,
      { details: { tool: id, source: this.id } },
    );
  }

  private async manifest(model: InstalledModel): Promise<ToolManifest> {
    const key = `${model.root}\0${model.package?.rdfSha256 ?? ''}`;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const doc = model.package?.description.documentation;
    const documentation =
      doc === undefined || /^[a-z]+:\/\//i.test(doc) ? undefined : await readFile(path.resolve(model.root, doc), 'utf8').catch(() => undefined);
    const body = modelToolManifest(model, { runtime: await this.runtime(), script: this.script, ...(documentation !== undefined && { documentation }) });
    const manifest = createToolManifest(body, model.package?.rdfFile ?? path.join(model.root, 'rdf.yaml'));
    this.cache.set(key, manifest);
    return manifest;
  }
}
