import { describeRunners, type RunnerOptionSpec } from '@bioimageit/core';
import type { Command } from 'commander';
import type { CliContext, GlobalOptions } from '../context.js';
import { printJson } from '../output.js';
import { UsageError } from '../usage-error.js';

/**
 * Parses repeated `--runner-option NAME=VALUE` values into the run's `runnerOptions` (values stay
 * text: the job engine types them by the runner's declaration and refuses what does not fit).
 * A missing `=`, an empty name or a name given twice is a UsageError naming it.
 */
export function parseRunnerOptions(values: readonly string[]): Record<string, string> {
  const entries: [string, string][] = [];
  for (const value of values) {
    const eq = value.indexOf('=');
    const name = eq < 0 ? '' : value.slice(0, eq).trim();
    if (name === '') throw new UsageError(`--runner-option expects NAME=VALUE, got '${value}'`);
    if (entries.some(([n]) => n === name)) throw new UsageError(`--runner-option ${name} is given twice`);
    entries.push([name, value.slice(eq + 1)]);
  }
  return Object.fromEntries(entries);
}

/** `string, one of missing|never, default missing`: an option's type, constraints and default, for listings. */
function describeOption(spec: RunnerOptionSpec): string {
  const parts: string[] = [spec.type];
  if (spec.enum !== undefined) parts.push(`one of ${spec.enum.join('|')}`);
  else if (spec.pattern !== undefined) parts.push(`matching ${spec.pattern}`);
  if (spec.minimum !== undefined || spec.maximum !== undefined) parts.push(`${spec.minimum ?? ''}..${spec.maximum ?? ''}`);
  if (spec.default !== undefined) parts.push(`default ${spec.secret === true ? '***' : String(spec.default)}`);
  return parts.join(', ');
}

/**
 * `bioimageit runners`: the runners `run --runner` and `pipeline run --runner` may name (`local`
 * and those of the configured plugins), each with the options `--runner-option NAME=VALUE` may set
 * for one run, their types and defaults (the runner's configured settings). Listing starts each
 * runner's plugin; one that cannot start here is listed as unavailable with the reason.
 */
export function registerRunnersCommand(program: Command, ctx: CliContext): void {
  program
    .command('runners')
    .description('list the runners and the options each takes per run (--runner-option NAME=VALUE)')
    .action(async (_flags: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const runners = await describeRunners((await ctx.getKernel(g)).runners);
      if (g.json) return printJson(ctx.output, runners);
      for (const runner of runners) {
        ctx.output.out(`${runner.id} (${runner.plugin})${runner.available ? '' : `: unavailable: ${runner.reason ?? ''}`}`);
        const options = Object.entries(runner.options);
        if (runner.available && options.length === 0) ctx.output.out('  no per-run options');
        const width = Math.max(0, ...options.map(([name]) => name.length));
        for (const [name, spec] of options) ctx.output.out(`  ${name.padEnd(width)}  ${spec.description} (${describeOption(spec)})`);
      }
    });
}
