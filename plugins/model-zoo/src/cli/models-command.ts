import { existsSync } from 'node:fs';
import path from 'node:path';
import type { CommandArgs, CommandContext, CommandDescription } from '@bioimageit/core';
import type { AxisDescription, ModelDescription, ProcessingStep, TensorDescription } from '../model-description.js';
import { ModelStore, resolveModelsDir, type InstalledModel } from '../model-store.js';
import { modelToolId, personText } from '../model-tool-source.js';

/** How tests and embedders set up `bioimageit models` (the CLI uses the defaults). */
export interface ModelsCommandSetup {
  /** The models folder; default from BIOIMAGEIT_MODELS_DIR, the workspace or the user cache. */
  readonly modelsDir?: string;
}

const text = (value: CommandArgs['arguments'][string]): string => (typeof value === 'string' ? value : '');

function table(ctx: CommandContext, header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  ctx.out([line(header), ...rows.map(line)].join('\n'));
}

/** `y=32+k·16`, `c=1`, `x=raw.x·1+0`. */
function sizeText(axis: AxisDescription): string {
  const size = axis.size;
  if (typeof size === 'number') return String(size);
  if ('min' in size) return size.step === 0 ? String(size.min) : `${size.min}+k·${size.step}`;
  const scaled = size.scale === 1 ? '' : `·${size.scale}`;
  const offset = size.offset === 0 ? '' : size.offset > 0 ? `+${size.offset}` : String(size.offset);
  return `${size.reference.tensor}.${size.reference.axis}${scaled}${offset}`;
}

function stepText(step: ProcessingStep): string {
  const kwargs = Object.entries(step.kwargs)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ');
  return `${step.id}(${kwargs})`;
}

function tensorLines(tensor: TensorDescription): string[] {
  const axes = tensor.axes.map((a) => `${a.id}=${sizeText(a)}${a.halo !== undefined && a.halo > 0 ? ` (halo ${a.halo})` : ''}`).join(' ');
  const lines = [`  ${tensor.id}  ${tensor.dataType}  ${axes}`];
  if (tensor.description !== '') lines.push(`    ${tensor.description}`);
  const channels = tensor.axes.find((a) => a.channelNames !== undefined)?.channelNames;
  if (channels !== undefined) lines.push(`    channels: ${channels.join(', ')}`);
  if (tensor.preprocessing.length > 0) lines.push(`    preprocessing: ${tensor.preprocessing.map(stepText).join(' → ')}`);
  if (tensor.postprocessing.length > 0) lines.push(`    postprocessing: ${tensor.postprocessing.map(stepText).join(' → ')}`);
  return lines;
}

function statusText(model: InstalledModel): string {
  return model.status === 'ready' ? 'ready' : `${model.status}: ${model.reason ?? ''}`;
}

function summary(model: InstalledModel) {
  const d = model.package?.description;
  return {
    id: model.id,
    version: model.version,
    name: d?.name ?? '',
    formats: d?.weights.map((w) => w.format) ?? [],
    status: model.status,
    ...(model.reason !== undefined && { reason: model.reason }),
    ...(model.status === 'ready' && { tool: modelToolId(model.id) }),
    root: model.root,
  };
}

function describeModel(model: InstalledModel, d: ModelDescription) {
  return {
    ...summary(model),
    description: d.description,
    formatVersion: d.formatVersion,
    authors: d.authors.map(personText),
    license: d.license,
    cite: d.cite,
    covers: d.covers.map((c) => (/^[a-z]+:\/\//i.test(c) ? c : path.join(model.root, c))),
    tags: d.tags,
    inputs: d.inputs,
    outputs: d.outputs,
    weights: d.weights,
    ...(model.weightsSha256 !== undefined && { weightsSha256: model.weightsSha256 }),
    ...(model.installed !== undefined && { installed: model.installed }),
  };
}

/**
 * The `bioimageit models list|show|test|add` commands, described for the host's command line (see
 * CommandDescription in @bioimageit/core; the manifest declares `models`, whose module is this
 * file). The models folder is `setup.modelsDir`, else BIOIMAGEIT_MODELS_DIR (environment or the
 * workspace's `settings`), else `<workspace>/models`, else `~/.cache/bioimageit/models/installed`.
 * The inference code (and ONNX Runtime) loads only for `test`.
 */
export function modelsCommand(setup: ModelsCommandSetup = {}): CommandDescription {
  const storeOf = async (ctx: CommandContext): Promise<ModelStore> => {
    if (setup.modelsDir !== undefined) return new ModelStore(path.resolve(ctx.cwd, setup.modelsDir));
    const config = await ctx.config();
    return new ModelStore(resolveModelsDir(ctx.env, config.workspace, ctx.cwd));
  };

  const list: CommandDescription = {
    name: 'list',
    summary: 'the installed models: id, version, name, weights formats and whether they run here',
    async run(_args, ctx) {
      const store = await storeOf(ctx);
      const models = (await store.listModels()).map(summary);
      if (ctx.json) return ctx.out(JSON.stringify(models, null, 2));
      if (models.length === 0) return ctx.out(`no models in ${store.modelsDir} (add one with 'bioimageit models add SOURCE')`);
      table(
        ctx,
        ['ID', 'VERSION', 'NAME', 'FORMATS', 'STATUS'],
        models.map((m) => [m.id, m.version, m.name, m.formats.join(','), m.status === 'ready' ? 'ready' : `${m.status}: ${m.reason ?? ''}`]),
      );
    },
  };

  const show: CommandDescription = {
    name: 'show',
    summary: 'one installed model: inputs and outputs (axes, sizes, halo, processing), authors, licence, citations, covers',
    arguments: [{ name: 'id', description: 'model id (see models list)' }],
    async run({ arguments: a }, ctx) {
      const model = await (await storeOf(ctx)).getModel(text(a['id']));
      const d = model.package?.description;
      if (d === undefined) {
        if (ctx.json) return ctx.out(JSON.stringify(summary(model), null, 2));
        return ctx.out(`${model.id} ${model.version}: ${statusText(model)}`);
      }
      const info = describeModel(model, d);
      if (ctx.json) return ctx.out(JSON.stringify(info, null, 2));
      const lines = [`${d.id} ${d.version}  ${d.name}`, ...(d.description === '' ? [] : [d.description]), ''];
      lines.push(`status:    ${statusText(model)}${info.tool === undefined ? '' : ` (tool ${info.tool})`}`);
      lines.push(`folder:    ${model.root}`);
      if (model.installed !== undefined) lines.push(`installed: ${model.installed.at} from ${model.installed.from}`);
      lines.push(`format:    ${d.formatVersion}`);
      lines.push(`weights:   ${d.weights.map((w) => `${w.format}${w.version === undefined ? '' : ` ${w.version}`} (${w.source})`).join(', ')}`);
      if (model.weightsSha256 !== undefined) lines.push(`sha256:    ${model.weightsSha256}`);
      lines.push(`authors:   ${info.authors.join('; ') || '-'}`);
      lines.push(`licence:   ${d.license || '-'}`);
      for (const c of d.cite) lines.push(`cite:      ${c.text}${c.doi === undefined ? '' : ` doi:${c.doi}`}${c.url === undefined ? '' : ` ${c.url}`}`);
      for (const c of info.covers) lines.push(`cover:     ${c}`);
      if (d.tags.length > 0) lines.push(`tags:      ${d.tags.join(', ')}`);
      lines.push('inputs:', ...d.inputs.flatMap(tensorLines), 'outputs:', ...d.outputs.flatMap(tensorLines));
      lines.push(`tolerance: relative ${d.tolerance.relative}, absolute ${d.tolerance.absolute}`);
      ctx.out(lines.join('\n'));
    },
  };

  const test: CommandDescription = {
    name: 'test',
    summary: 'runs a model on its own test input and compares with its test output (PASS/FAIL per output; exit 1 on failure)',
    arguments: [{ name: 'model', description: 'an installed model id, or a package (folder, .zip or URL)' }],
    async run({ arguments: a }, ctx) {
      const ref = text(a['model']);
      const [{ openModelPackage }, { verifyModelPackage }] = await Promise.all([
        import('../package/model-package.js'),
        import('../package/verify-model-package.js'),
      ]);
      const { testModel } = await import('../inference/index.js');
      const isSource = /^[a-z][a-z0-9+.-]*:\/\//i.test(ref) || existsSync(path.resolve(ctx.cwd, ref));
      let pkg;
      if (isSource) {
        pkg = await openModelPackage(/^[a-z][a-z0-9+.-]*:\/\//i.test(ref) ? ref : path.resolve(ctx.cwd, ref));
        await verifyModelPackage(pkg);
      } else {
        const model = await (await storeOf(ctx)).getModel(ref);
        pkg = model.package ?? (await openModelPackage(model.root));
      }
      const report = await testModel(pkg);
      const d = pkg.description;
      if (ctx.json) {
        ctx.out(JSON.stringify({ id: d.id, version: d.version, tolerance: d.tolerance, ...report }, null, 2));
      } else {
        ctx.out(`${d.id} ${d.version}: test on ${report.runtime} (tolerance: relative ${d.tolerance.relative}, absolute ${d.tolerance.absolute})`);
        table(
          ctx,
          ['OUTPUT', 'MAX ABS ERROR', 'MAX REL ERROR', 'MISMATCHED', 'RESULT'],
          report.outputs.map((o) => [
            o.id,
            o.maxAbsoluteError.toExponential(3),
            o.maxRelativeError.toExponential(3),
            `${o.mismatched}/${o.elements}`,
            o.mismatched === 0 ? 'PASS' : 'FAIL',
          ]),
        );
        ctx.out(report.passed ? 'PASS' : 'FAIL');
      }
      return report.passed ? 0 : 1;
    },
  };

  const add: CommandDescription = {
    name: 'add',
    summary: 'installs a model package (folder, .zip or URL) after checking it: rdf, files, weights sha256',
    arguments: [{ name: 'source', description: 'a package folder (holding rdf.yaml), a .zip or an http(s) URL' }],
    async run({ arguments: a }, ctx) {
      const ref = text(a['source']);
      const source = /^[a-z][a-z0-9+.-]*:\/\//i.test(ref) ? ref : path.resolve(ctx.cwd, ref);
      const store = await storeOf(ctx);
      const { model, copied, replaced } = await store.addModel(source);
      if (ctx.json) return ctx.out(JSON.stringify({ ...summary(model), copied, replaced }, null, 2));
      const what = copied ? (replaced ? 'replaced' : 'installed') : 'already installed';
      ctx.out(`${what} ${model.id} ${model.version} in ${model.root} (tool ${modelToolId(model.id)})`);
    },
  };

  return {
    name: 'models',
    summary: 'BioImage Model Zoo models: list, show, test and add packages (folder, .zip or URL)',
    description:
      'BioImage Model Zoo models (rdf.yaml 0.4 and 0.5) installed in the models folder (BIOIMAGEIT_MODELS_DIR, else <workspace>/models, else ~/.cache/bioimageit/models/installed). Models with ONNX weights run natively and are offered as tools model.<id>.',
    subcommands: [list, show, test, add],
  };
}

export default modelsCommand();
