import type { ExperimentCheckReport, ExperimentProblem } from '@bioimageit/core';
import type { Command } from 'commander';
import type { CliContext, GlobalOptions } from '../context.js';
import { printJson, printTable, type Output } from '../output.js';

/**
 * `bioimageit experiment check [EXP] [--repair] [--deep]`: lists what is wrong with an experiment
 * (see ExperimentStore.check), each problem with whether `--repair` fixes it; with `--repair`,
 * what was done and what remains. Exits 1 while problems remain.
 */
export function registerExperimentCheckCommand(experiment: Command, ctx: CliContext): void {
  experiment
    .command('check')
    .description('check an experiment: data files missing or changed, files no metadata names, index drift, duplicate entries, runs without status or missing')
    .argument('[experiment]', 'name, path or URI (default: the experiment folder you are in)')
    .option('--repair', 'fix what is safe: rebuild the index, drop duplicate dataset entries, record runs without status as unknown (never deletes data)')
    .option('--deep', 'also hash every data file and compare it with its recorded sha256 (reads all the data)')
    .action(async (ref: string | undefined, opts: { repair?: boolean; deep?: boolean }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const store = await ctx.openExperiment({ ...g, ...(ref !== undefined && { experiment: ref }) });
      const kernel = await ctx.getKernel(g);
      const report = await kernel.checkExperiment(store, { repair: opts.repair === true, deep: opts.deep === true });
      if (report.remaining.length > 0) ctx.exitCode = 1;
      if (g.json) return printJson(ctx.output, report);
      printCheckReport(ctx.output, report, opts.repair === true);
    });
}

/** The text form of a check report: what was checked, the repairs, then the problems left as a table. */
export function printCheckReport(output: Output, report: ExperimentCheckReport, repair: boolean): void {
  const { datasets, items, runs, hashed } = report.checked;
  output.out(`checked ${datasets} dataset(s), ${items} item(s), ${runs} run(s)${report.deep ? `, ${hashed} data file(s) hashed` : ''}`);
  if (report.repairs.length > 0) {
    output.out(`repaired ${report.repairs.length}:`);
    printTable(
      output,
      ['KIND', 'FILE', 'DONE'],
      report.repairs.map((r) => [r.kind, r.file, r.action]),
    );
  }
  const left = report.remaining;
  if (left.length === 0) {
    output.out(report.problems.length === 0 ? 'no problems found' : 'no problem left');
    return;
  }
  output.out(repair ? `${left.length} problem(s) left:` : `${left.length} problem(s):`);
  printTable(
    output,
    ['KIND', 'DATASET', 'FILE', 'REPAIR', 'PROBLEM'],
    left.map((p) => [p.kind, p.dataset ?? '', p.file, p.repairable ? '--repair' : 'no', describe(p)]),
  );
  const fixable = left.filter((p) => p.repairable).length;
  if (!repair && fixable > 0)
    output.out(`${fixable} of them can be fixed by 'bioimageit experiment check --repair'; the others need a look (no data is ever deleted)`);
}

function describe(problem: ExperimentProblem): string {
  return problem.item !== undefined && !problem.file.includes(problem.item.name) ? `${problem.item.name}: ${problem.message}` : problem.message;
}
