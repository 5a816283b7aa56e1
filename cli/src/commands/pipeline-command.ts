import { resolve } from 'node:path';
import { validateRunnerOptions } from '@bioimageit/core';
import type { Command } from 'commander';
import type { CliContext, GlobalOptions } from '../context.js';
import { printJson } from '../output.js';
import { UsageError } from '../usage-error.js';
import { parseJobs, printRunSummary, runExitCode, withRunProgress } from './run-report.js';
import { parseRunnerOptions } from './runners-command.js';

interface PipelineFlags {
  experiment?: string;
  jobs?: string;
  cache: boolean;
  runner?: string;
  runnerOption: string[];
}

/**
 * `bioimageit pipeline run FILE -e EXP`: runs a pipeline file (native or v1 JSON) step by step in
 * dependency order (`--runner` and `--runner-option` apply to every step). Jobs identical to earlier ones come from the cache, so a re-run executes only
 * what changed. Exit code 0 when every step succeeded, 1 otherwise, 130 when cancelled (Ctrl-C).
 */
export function registerPipelineCommand(program: Command, ctx: CliContext): void {
  const pipeline = program.command('pipeline').description('run pipelines of tools');
  pipeline
    .command('run')
    .description('run a pipeline JSON file; only steps whose tool, parameters or inputs changed do work')
    .argument('<file>', 'pipeline JSON file')
    .option('-e, --experiment <ref>', 'experiment name, path or URI (default: the experiment folder you are in)')
    .option('-j, --jobs <n>', 'jobs run at once in each step (default 1)')
    .option('--no-cache', 'run every job even when an identical one already ran')
    .option('--runner <id>', 'runner for every step (default: by each tool, else local)')
    .option(
      '--runner-option <name=value>',
      'option of the runner for every step, e.g. partition=gpu (repeatable; needs --runner)',
      (v: string, p: string[]) => [...p, v],
      [],
    )
    .action(async (file: string, flags: PipelineFlags, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const jobs = parseJobs(flags.jobs);
      const runnerOptions = parseRunnerOptions(flags.runnerOption);
      if (flags.runnerOption.length > 0 && flags.runner === undefined)
        throw new UsageError('--runner-option needs --runner (the steps of a pipeline may otherwise run on different runners)');
      const store = await ctx.openExperiment({ ...g, ...(flags.experiment !== undefined && { experiment: flags.experiment }) });
      const kernel = await ctx.getKernel(g);
      const definition = await kernel.loadPipeline(resolve(ctx.cwd, file));
      // checked before the first step runs, not when a later step reaches the runner
      if (flags.runner !== undefined && flags.runnerOption.length > 0) validateRunnerOptions(await kernel.runners.get(flags.runner), runnerOptions);
      const controller = new AbortController();
      const outcome = await withRunProgress(kernel, ctx.output, `pipeline ${definition.name}`, controller, () =>
        kernel.runPipeline(store, definition, {
          cache: flags.cache,
          signal: controller.signal,
          ...(jobs !== undefined && { jobs }),
          ...(flags.runner !== undefined && { runner: flags.runner }),
          ...(flags.runnerOption.length > 0 && { runnerOptions }),
        }),
      );
      const cancelled = outcome.steps.some((s) => s.outcome !== undefined && runExitCode(s.outcome.record) === 130);
      ctx.exitCode = outcome.status === 'succeeded' ? 0 : cancelled ? 130 : 1;
      if (g.json) {
        return printJson(ctx.output, {
          name: outcome.name,
          status: outcome.status,
          steps: outcome.steps.map((s) => ({
            step: s.step,
            status: s.status,
            ...(s.reason && { reason: s.reason }),
            ...(s.outcome && { run: s.outcome.record, unmatched: s.outcome.unmatched }),
          })),
        });
      }
      for (const step of outcome.steps) {
        if (step.outcome === undefined) ctx.output.out(`step ${step.step}: skipped (${step.reason ?? ''})`);
        else await printRunSummary(ctx.output, store, step.outcome.record, `step ${step.step}: run`);
      }
      const ran = outcome.steps.flatMap((s) => s.outcome?.record.jobs ?? []);
      const cached = ran.filter((j) => j.status === 'cached').length;
      ctx.output.out(`pipeline ${outcome.name} ${outcome.status}: ${outcome.steps.length} step(s), ${ran.length} job(s), ${cached} from cache`);
    });
}
