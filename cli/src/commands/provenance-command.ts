import { resolve } from 'node:path';
import {
  PROCESS_RUN_CRATE_PROFILE,
  RO_CRATE_SPEC,
  WORKFLOW_RUN_CRATE_PROFILE,
  checkRoCrate,
  isBioImageItError,
  lineage,
  writeProvJson,
  writeRoCrate,
  type ExperimentStore,
  type LineageGraph,
  type LineageItemNode,
  type LineageJobNode,
  type LineageNode,
  type LineageRunNode,
  type RoCrateOptions,
} from '@bioimageit/core';
import type { Command } from 'commander';
import type { CliContext, GlobalOptions } from '../context.js';
import { printJson } from '../output.js';
import { UsageError } from '../usage-error.js';

interface ExportFlags {
  experiment?: string;
  roCrate?: string;
  prov?: string;
  run?: string[];
  pipeline?: string;
  copy: boolean;
  data: boolean;
  check?: boolean;
}

/**
 * `bioimageit provenance export -e EXP (--ro-crate DIR | --prov FILE) [--run ID ...] [--pipeline FILE] [--no-data]`
 * writes an RO-Crate 1.1 (Process Run Crate 0.5; with `--pipeline`, a Workflow Run Crate 0.5 of
 * that pipeline's runs) and/or W3C PROV-JSON of the experiment's runs. The crate declares the
 * workspace's `license` (a warning when it has none: RO-Crate requires one) and names the
 * workspace user (by ORCID iD when `user.orcid` is set) as author and agent. Data files are
 * copied into the crate unless `--no-data` (older spelling `--no-copy`): then they are
 * referenced by URI with size and sha256. `bioimageit provenance show ITEM -e EXP [--json]`
 * prints where an item came from, back to raw data.
 */
export function registerProvenanceCommand(program: Command, ctx: CliContext): void {
  const provenance = program.command('provenance').alias('prov').description('export provenance (RO-Crate, W3C PROV) and show where an item came from');

  provenance
    .command('export')
    .description('write an RO-Crate 1.1 (Process Run Crate, or Workflow Run Crate with --pipeline) folder and/or a W3C PROV-JSON file of the runs')
    .option('-e, --experiment <ref>', 'experiment name, path or URI (default: the experiment folder you are in)')
    .option('--ro-crate <dir>', 'write an RO-Crate into DIR (ro-crate-metadata.json and the data files)')
    .option('--prov <file>', 'write W3C PROV-JSON to FILE')
    .option('--run <id...>', 'export only these runs (default: all)')
    .option('--pipeline <file>', 'export the runs of this pipeline file (its latest run of each step) as a Workflow Run Crate')
    .option('--no-data', 'reference data files by URI (with size and sha256) instead of copying them into the crate (default: copy)')
    .option('--no-copy', 'the same as --no-data')
    .option('--check', 'check the written crate (links, files, checksums) and fail on problems')
    .action(async (flags: ExportFlags, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      if (flags.roCrate === undefined && flags.prov === undefined) throw new UsageError('nothing to export: pass --ro-crate DIR and/or --prov FILE');
      const store = await ctx.openExperiment({ ...g, ...(flags.experiment !== undefined && { experiment: flags.experiment }) });
      const runs = flags.run === undefined ? {} : { runs: flags.run };
      const report: Record<string, unknown> = {};
      if (flags.roCrate !== undefined) {
        const dir = resolve(ctx.cwd, flags.roCrate);
        const copy = flags.copy && flags.data;
        const kernel = await ctx.getKernel(g);
        const { license, user } = kernel.config;
        const pipeline = flags.pipeline === undefined ? undefined : resolve(ctx.cwd, flags.pipeline);
        const options: RoCrateOptions = {
          ...runs,
          copyData: copy,
          author: user,
          ...(license !== undefined && { license }),
          ...(pipeline !== undefined && { pipeline: { file: pipeline, definition: await kernel.loadPipeline(pipeline) } }),
        };
        if (license === undefined)
          ctx.output.err(
            'warning: the workspace declares no licence ("license" in bioimageit.config.json, e.g. "CC-BY-4.0"): the crate is written without one, and RO-Crate validators report its root as lacking the required license',
          );
        const doc = await writeRoCrate(store, dir, options);
        const count = (type: string) => doc['@graph'].filter((e) => e['@type'] === type || (Array.isArray(e['@type']) && e['@type'].includes(type))).length;
        const problems = flags.check ? await checkRoCrate(doc, dir) : [];
        const profile = pipeline === undefined ? PROCESS_RUN_CRATE_PROFILE : WORKFLOW_RUN_CRATE_PROFILE;
        report['roCrate'] = {
          dir,
          conformsTo: [RO_CRATE_SPEC, profile],
          actions: count('CreateAction'),
          files: count('File'),
          copied: copy,
          ...(license !== undefined && { license }),
          ...(flags.check && { problems }),
        };
        if (!g.json)
          ctx.output.out(
            `wrote RO-Crate to ${dir}: ${count('CreateAction')} action(s), ${count('File')} file(s)${copy ? ' copied' : ' referenced'} (RO-Crate 1.1, ${pipeline === undefined ? 'Process' : 'Workflow'} Run Crate 0.5)`,
          );
        if (problems.length > 0) {
          ctx.exitCode = 1;
          for (const p of problems) ctx.output.err(`crate problem: ${p}`);
        }
      }
      if (flags.prov !== undefined) {
        const file = resolve(ctx.cwd, flags.prov);
        const doc = await writeProvJson(store, file, runs);
        const activities = Object.keys(doc.activity).length;
        const entities = Object.keys(doc.entity).length;
        report['prov'] = { file, activities, entities };
        if (!g.json)
          ctx.output.out(
            `wrote W3C PROV-JSON to ${file}: ${activities} activit${activities === 1 ? 'y' : 'ies'}, ${entities} entit${entities === 1 ? 'y' : 'ies'}`,
          );
      }
      if (g.json) printJson(ctx.output, report);
    });

  provenance
    .command('show')
    .description('print the runs, jobs and items an item came from, back to raw data')
    .argument('<item>', 'item id (or a name that only one item has)')
    .option('-e, --experiment <ref>', 'experiment name, path or URI (default: the experiment folder you are in)')
    .action(async (ref: string, flags: { experiment?: string }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const store = await ctx.openExperiment({ ...g, ...(flags.experiment !== undefined && { experiment: flags.experiment }) });
      const graph = await lineageOf(store, ref);
      if (g.json) return printJson(ctx.output, graph);
      ctx.output.out(formatLineage(graph).join('\n'));
    });
}

/** Lineage of an item named by id, or else by a name only one item has. */
async function lineageOf(store: ExperimentStore, ref: string): Promise<LineageGraph> {
  try {
    return await lineage(store, ref);
  } catch (err) {
    if (!isBioImageItError(err, 'storage') || err.code !== 'NOT_FOUND') throw err;
    const named = [];
    for (const dataset of await store.listDatasets()) named.push(...(await store.items(dataset.name)).filter((i) => i.name === ref));
    if (named.length === 0) throw err;
    if (named.length > 1) throw new UsageError(`'${ref}' names ${named.length} items (${named.map((i) => `${i.dataset}: ${i.id}`).join(', ')}); pass an id`);
    return lineage(store, (named[0] as { id: string }).id);
  }
}

/** The lineage as an indented tree: each item, the job that made it, then that job's inputs. */
export function formatLineage(graph: LineageGraph): string[] {
  const nodes = new Map<string, LineageNode>(graph.nodes.map((n) => [n.id, n]));
  const lines: string[] = [];
  const shown = new Set<string>();
  const visit = (itemId: string, lead: string, indent: string): void => {
    const item = nodes.get(itemId) as LineageItemNode;
    lines.push(lead + itemLabel(item));
    const made = graph.edges.find((e) => e.from === itemId && e.relation === 'wasGeneratedBy');
    if (made === undefined) return;
    if (shown.has(itemId)) {
      lines.push(`${indent}└─ (history shown above)`);
      return;
    }
    shown.add(itemId);
    const job = nodes.get(made.to) as LineageJobNode;
    const runEdge = graph.edges.find((e) => e.from === job.id && e.relation === 'partOf');
    const run = runEdge === undefined ? undefined : (nodes.get(runEdge.to) as LineageRunNode);
    lines.push(`${indent}└─ ${jobLabel(job, run, made.role)}`);
    const inputs = graph.edges.filter((e) => e.from === job.id && e.relation === 'used');
    inputs.forEach((edge, i) => {
      const last = i === inputs.length - 1;
      visit(edge.to, `${indent}   ${last ? '└─' : '├─'} ${edge.role ?? 'input'}: `, `${indent}   ${last ? '   ' : '│  '}`);
    });
  };
  visit(graph.root, '', '');
  return lines;
}

function itemLabel(item: LineageItemNode): string {
  if (item.missing) return `${item.name} (item ${item.itemId} no longer exists)`;
  return `${item.name}  [${item.dataset ?? '?'}${item.origin === 'raw' ? ', raw' : ''}] ${item.itemId}`;
}

function jobLabel(job: LineageJobNode, run: LineageRunNode | undefined, output: string | undefined): string {
  const name = run?.tool === undefined ? 'an unknown tool' : run.tool.name || run.tool.id;
  const version = run?.tool?.version ?? '';
  const tool = version !== '' && !name.includes(version) ? `${name} ${version}` : name;
  const facts = [`run ${job.runId}`, job.reconstructed ? 'v1 job' : `job ${job.jobId}`];
  if (run?.missing) facts.push('run record missing');
  if (job.status !== undefined) facts.push(job.status);
  if (job.cachedFrom !== undefined) facts.push(`reused from run ${job.cachedFrom.runId} job ${job.cachedFrom.jobId}`);
  if (job.exitCode !== undefined && job.exitCode !== null) facts.push(`exit ${job.exitCode}`);
  if (job.start !== undefined || job.end !== undefined) facts.push(`${job.start ?? '?'} → ${job.end ?? '?'}`);
  if (run?.user !== undefined) facts.push(`by ${run.user}`);
  const params = (run?.parameters ?? []).map((p) => `${p.name}=${p.value}`).join(' ');
  return `${output ?? 'output'} of ${tool} (${facts.join(', ')})${params === '' ? '' : ` with ${params}`}`;
}
