import { ToolError, type Kernel, type UnmatchedItem } from '@bioimageit/core';
import type { Command } from 'commander';
import type { CliContext, GlobalOptions } from '../context.js';
import { printJson } from '../output.js';
import { parseAssignments, UsageError } from '../usage-error.js';
import { parseJobs, parseKeys, printRunSummary, runExitCode, withRunProgress } from './run-report.js';
import { parseRunnerOptions } from './runners-command.js';

interface RunFlags {
  experiment?: string;
  input: string[];
  originOutput: string[];
  param: string[];
  outputDataset?: string;
  matchBy?: string;
  matchByPosition?: boolean;
  groupBy?: string;
  orderBy?: string;
  broadcast: string[];
  jobs?: string;
  resume?: boolean;
  cache: boolean;
  runner?: string;
  runnerOption: string[];
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
 * progress bar. `--runner-option NAME=VALUE` (repeatable) sets an option of the runner for this
 * run (`bioimageit runners` lists them); the engine refuses one the runner does not take. Exit code 0 when every job succeeded (or came from the cache), 1 when some or all
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
    .option('--order-by <keys>', 'order the items inside each group by these tag values, numerically when numbers (e.g. T)')
    .option('--broadcast <name>', 'give the one item of this input (a PSF, a model) to every job instead of pairing it (repeatable)', collect, [])
    .option('-j, --jobs <n>', 'jobs run at once (default 1)')
    .option('--resume', 'continue the last unfinished run of the output dataset (after a crash)')
    .option('--no-cache', 'run every job even when an identical one already ran')
    .option('--runner <id>', 'runner to use (default: by the tool requirements, else local)')
    .option(
      '--runner-option <name=value>',
      'option of the runner for this run, e.g. partition=gpu or time=00:10:00 (repeatable; `bioimageit runners` lists them)',
      collect,
      [],
    )
    .action(async (toolId: string, flags: RunFlags, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      if (flags.outputDataset === undefined) throw new UsageError('--output-dataset NAME is required (the processed dataset receiving the outputs)');
      if (flags.matchBy !== undefined && flags.matchByPosition) throw new UsageError('choose one of --match-by and --match-by-position');
      const jobs = parseJobs(flags.jobs);
      const params = parseAssignments(flags.param);
      const runnerOptions = parseRunnerOptions(flags.runnerOption);
      const store = await ctx.openExperiment({ ...g, ...(flags.experiment !== undefined && { experiment: flags.experiment }) });
      const kernel = await ctx.getKernel(g);
      const tool = await kernel.tools().getTool(toolId);
      const inputs = withBroadcast(
        parseRunInputs(
          flags.input,
          flags.originOutput,
          tool.inputs.filter((i) => i.type === 'data').map((i) => i.name),
        ),
        flags.broadcast.flatMap((b) => parseKeys(b) ?? []),
      );
      const matchBy = flags.matchByPosition ? ('position' as const) : parseKeys(flags.matchBy);
      const groupBy = parseKeys(flags.groupBy);
      const orderBy = parseKeys(flags.orderBy);
      const controller = new AbortController();
      const outcome = await withRunProgress(kernel, ctx.output, `running ${tool.id}`, controller, () =>
        listUnmatchedOnFailure(
          ctx,
          kernel.runTool(store, {
            tool,
            params,
            inputs,
            outputDataset: flags.outputDataset as string,
            cache: flags.cache,
            signal: controller.signal,
            ...(matchBy !== undefined && { matchBy }),
            ...(groupBy !== undefined && { groupBy }),
            ...(orderBy !== undefined && { orderBy }),
            ...(jobs !== undefined && { jobs }),
            ...(flags.resume && { resume: true }),
            ...(flags.runner !== undefined && { runner: flags.runner }),
            ...(flags.runnerOption.length > 0 && { runnerOptions }),
          }),
        ),
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

/** Marks the `--broadcast` inputs; a name that is not one of the inputs is a usage error. */
function withBroadcast(inputs: RunInputs, broadcast: readonly string[]): RunInputs {
  const names = inputs.map((i) => i.name);
  for (const name of broadcast) if (!names.includes(name)) throw new UsageError(`--broadcast ${name}: no such input (inputs: ${names.join(', ')})`);
  return inputs.map((i) => (broadcast.includes(i.name) ? { ...i, broadcast: true } : i));
}

/** When a run plans no job, lists the items pairing left out (on stderr) before the error ends the command. */
async function listUnmatchedOnFailure<T>(ctx: CliContext, running: Promise<T>): Promise<T> {
  try {
    return await running;
  } catch (error) {
    if (error instanceof ToolError && error.code === 'NOTHING_TO_RUN') {
      const unmatched = (error.details['unmatched'] ?? []) as readonly UnmatchedItem[];
      ctx.output.err(`${unmatched.length} item(s) left out by pairing:`);
      for (const u of unmatched.slice(0, 20)) ctx.output.err(`  ${u.input}: ${u.name}: ${u.reason}`);
      if (unmatched.length > 20) ctx.output.err(`  ... and ${unmatched.length - 20} more`);
    }
    throw error;
  }
}
