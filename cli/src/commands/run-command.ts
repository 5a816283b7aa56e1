import type { Kernel } from '@bioimageit/core';
import type { Command } from 'commander';
import type { CliContext, GlobalOptions } from '../context.js';
import { printJson } from '../output.js';
import { parseAssignments, UsageError } from '../usage-error.js';
import { parseJobs, parseKeys, printRunSummary, runExitCode, withRunProgress } from './run-report.js';

interface RunFlags {
  experiment?: string;
  input: string[];
  originOutput: string[];
  param: string[];
  outputDataset?: string;
  matchBy?: string;
  matchByPosition?: boolean;
  groupBy?: string;
  jobs?: string;
  resume?: boolean;
  cache: boolean;
  runner?: string;
}

type RunInputs = Parameters<Kernel['runTool']>[1]['inputs'];

const collect = (value: string, previous: string[]) => [...previous, value];

/**
 * Parses `--input NAME=DATASET[:QUERY]` values (the query is everything after the first `:`) and
 * `--origin-output NAME=OUTPUT`. Without `--input`, a tool with one data input reads every item of
 * the raw dataset `data`.
 */
export function parseRunInputs(inputs: readonly string[], originOutputs: readonly string[], dataInputs: readonly string[]): RunInputs {
  const origins = parseAssignments(originOutputs);
  if (inputs.length === 0) {
    if (dataInputs.length !== 1)
      throw new UsageError(`the tool has ${dataInputs.length} data inputs (${dataInputs.join(', ')}): give each with --input NAME=DATASET[:QUERY]`);
    const name = dataInputs[0] as string;
    return [{ name, dataset: 'data', query: '', ...(origins[name] !== undefined && { originOutputName: origins[name] }) }];
  }
  return inputs.map((spec) => {
    const eq = spec.indexOf('=');
    if (eq <= 0) throw new UsageError(`--input expects NAME=DATASET[:QUERY], got '${spec}'`);
    const name = spec.slice(0, eq).trim();
    const rest = spec.slice(eq + 1);
    const colon = rest.indexOf(':');
    const dataset = (colon < 0 ? rest : rest.slice(0, colon)).trim() || 'data';
    const query = colon < 0 ? '' : rest.slice(colon + 1);
    return { name, dataset, query, ...(origins[name] !== undefined && { originOutputName: origins[name] }) };
  });
}

/**
 * `bioimageit run TOOL -e EXP --input i=data:'Population=population1' --param sigma=3
 * --output-dataset blurred`: runs a tool over selected items through the job engine, with a
 * progress bar. Exit code 0 when every job succeeded (or came from the cache), 1 when some or all
 * failed (each failure is listed with its log), 130 when cancelled by Ctrl-C.
 */
export function registerRunCommand(program: Command, ctx: CliContext): void {
  program
    .command('run')
    .description("run a tool over selected data, e.g. run biitthreshold -e exp --input i=data:'Population=population1' --param threshold=128 -o threshold")
    .argument('<tool>', 'tool id (or v1 key such as biitcopy_v1.0.0)')
    .option('-e, --experiment <ref>', 'experiment name, path or URI (default: the experiment folder you are in)')
    .option(
      '-i, --input <name=dataset[:query]>',
      "data for a tool input: a dataset and an optional query (repeatable; default for a one-input tool: every item of 'data')",
      collect,
      [],
    )
    .option('--origin-output <name=output>', 'keep only items made as this output of a multi-output tool (repeatable)', collect, [])
    .option('-p, --param <name=value>', 'parameter value (repeatable)', collect, [])
    .option('-o, --output-dataset <name>', 'processed dataset receiving the outputs')
    .option('--match-by <keys>', 'pair several inputs by these tag keys, e.g. Population,number')
    .option('--match-by-position', 'pair several inputs by position (v1 behaviour)')
    .option('--group-by <keys>', 'one job per group of items sharing these tag values (inputs become list files)')
    .option('-j, --jobs <n>', 'jobs run at once (default 1)')
    .option('--resume', 'continue the last unfinished run of the output dataset (after a crash)')
    .option('--no-cache', 'run every job even when an identical one already ran')
    .option('--runner <id>', 'runner to use (default: by the tool requirements, else local)')
    .action(async (toolId: string, flags: RunFlags, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      if (flags.outputDataset === undefined) throw new UsageError('--output-dataset NAME is required (the processed dataset receiving the outputs)');
      if (flags.matchBy !== undefined && flags.matchByPosition) throw new UsageError('choose one of --match-by and --match-by-position');
      const jobs = parseJobs(flags.jobs);
      const params = parseAssignments(flags.param);
      const store = await ctx.openExperiment({ ...g, ...(flags.experiment !== undefined && { experiment: flags.experiment }) });
      const kernel = await ctx.getKernel(g);
      const tool = await kernel.tools().getTool(toolId);
      const inputs = parseRunInputs(
        flags.input,
        flags.originOutput,
        tool.inputs.filter((i) => i.type === 'data').map((i) => i.name),
      );
      const matchBy = flags.matchByPosition ? ('position' as const) : parseKeys(flags.matchBy);
      const groupBy = parseKeys(flags.groupBy);
      const controller = new AbortController();
      const outcome = await withRunProgress(kernel, ctx.output, `running ${tool.id}`, controller, () =>
        kernel.runTool(store, {
          tool,
          params,
          inputs,
          outputDataset: flags.outputDataset as string,
          cache: flags.cache,
          signal: controller.signal,
          ...(matchBy !== undefined && { matchBy }),
          ...(groupBy !== undefined && { groupBy }),
          ...(jobs !== undefined && { jobs }),
          ...(flags.resume && { resume: true }),
          ...(flags.runner !== undefined && { runner: flags.runner }),
        }),
      );
      ctx.exitCode = runExitCode(outcome.record);
      if (g.json) return printJson(ctx.output, { run: outcome.record, unmatched: outcome.unmatched, resumed: outcome.resumed, warnings: outcome.warnings });
      if (outcome.resumed) ctx.output.err(`resumed run ${outcome.record.id}`);
      await printRunSummary(ctx.output, store, outcome.record);
      if (outcome.unmatched.length > 0) {
        ctx.output.err(`${outcome.unmatched.length} item(s) left out by pairing:`);
        for (const u of outcome.unmatched.slice(0, 10)) ctx.output.err(`  ${u.input}: ${u.name}: ${u.reason}`);
      }
      for (const w of outcome.warnings) ctx.output.err(`warning: ${w}`);
    });
}
