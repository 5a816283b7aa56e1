import { resolve } from 'node:path';
import { isBioImageItError, loadToolFile, runToolTests, type Kernel, type ToolCatalog, type ToolLoadWarning, type ToolManifest } from '@bioimageit/core';
import type { Command } from 'commander';
import type { CliContext, GlobalOptions } from '../context.js';
import { printJson, printTable } from '../output.js';

/** The workspace's tools (`tools.dirs`, relative to the workspace, plus `extra` folders) and the plugins' tool sources. */
function toolSource(kernel: Kernel, extra: readonly string[] = []): ToolCatalog {
  return kernel.toolCatalogWith(extra.map((d) => resolve(kernel.config.workspace, d)));
}

/** One-line summary of a parameter or data input (`sigma: float = 3 [0..10]`). */
function describeInput(input: ToolManifest['inputs'][number]): string {
  const range = input.min !== undefined || input.max !== undefined ? ` [${input.min ?? ''}..${input.max ?? ''}]` : '';
  const choices = input.choices ? ` {${input.choices.map((c) => c.value).join('|')}}` : '';
  const fallback = input.default !== undefined ? ` = ${String(input.default)}` : '';
  const format = input.format ? ` (${input.format})` : '';
  return `${input.name}: ${input.type}${format}${fallback}${range}${choices}${input.label ? `  — ${input.label}` : ''}`;
}

/**
 * `bioimageit tools list|show|validate`: the tools of the workspace's tool folders (native
 * `*.tool.json` manifests and v1 XML wrappers), one manifest in full, or a check of tool files
 * that reports every problem with its file and field or line (exit code 1 when any is invalid),
 * and `tools test ID`, which runs the test cases the manifest declares (exit code 1 on a failure).
 * v1 wrappers with quirks v1 accepts load with a `warning:` naming file, line and quirk;
 * `tools validate --strict` refuses them with the same text.
 */
export function registerToolsCommand(program: Command, ctx: CliContext): void {
  const tools = program.command('tools').description('list, show and validate tools');
  const dirOption = (cmd: Command) => cmd.option('--dir <folder...>', 'extra tool folders to search');

  dirOption(tools.command('list').description('tools found in the configured tool folders')).action(async (flags: { dir?: string[] }, cmd: Command) => {
    const g = cmd.optsWithGlobals<GlobalOptions>();
    const source = toolSource(
      await ctx.getKernel(g),
      flags.dir?.map((d) => resolve(ctx.cwd, d)),
    );
    const list = await source.listTools();
    const problems = await source.problems();
    const warnings = await source.warnings();
    if (g.json)
      return printJson(ctx.output, {
        tools: list,
        problems: problems.map((p) => ({ file: p.file, error: p.error.message })),
        warnings: warnings.map(warningJson),
      });
    if (list.length === 0) ctx.output.out('no tools (add folders to "tools.dirs" in bioimageit.config.json, or pass --dir)');
    else
      printTable(
        ctx.output,
        ['ID', 'VERSION', 'NAME', 'SOURCE'],
        list.map((t) => [t.id, t.version, t.name, t.source]),
      );
    for (const p of problems) ctx.output.err(`warning: ${p.error.message}`);
    for (const w of warnings) ctx.output.err(`warning: ${w.message}`);
  });

  dirOption(tools.command('show').description('show a tool: inputs, parameters, outputs, command, requirements'))
    .argument('<id>', 'tool id, or v1 key (biitcopy_v1.0.0)')
    .action(async (id: string, flags: { dir?: string[] }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const source = toolSource(
        await ctx.getKernel(g),
        flags.dir?.map((d) => resolve(ctx.cwd, d)),
      );
      const tool = await source.getTool(id);
      if (g.json) return printJson(ctx.output, tool);
      for (const w of await source.warnings()) if (w.file === tool.source) ctx.output.err(`warning: ${w.message}`);
      const lines = [
        `${tool.name} (${tool.id} ${tool.version}, ${tool.type})`,
        tool.description,
        `source: ${tool.source}`,
        `digest: ${tool.digest}`,
        'inputs:',
        ...tool.inputs.map((i) => `  ${describeInput(i)}`),
        'outputs:',
        ...tool.outputs.map((o) => `  ${o.name}: ${o.format}${o.label ? `  — ${o.label}` : ''}`),
        `command: ${JSON.stringify(tool.command.argv)}`,
        `requirements: ${JSON.stringify(tool.requirements)}`,
      ];
      ctx.output.out(lines.filter((l) => l !== '').join('\n'));
    });

  tools
    .command('validate')
    .description('check tool files (native manifests or v1 XML wrappers)')
    .argument('<files...>', 'tool files')
    .option('--strict', 'refuse v1 quirks that BioImageIT v1 accepts (a repeated select option, an empty test file, a decimal integer bound)')
    .action(async (files: string[], flags: { strict?: boolean }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const results: { file: string; ok: boolean; id?: string; error?: string; warnings?: ReturnType<typeof warningJson>[] }[] = [];
      for (const file of files.map((f) => resolve(ctx.cwd, f))) {
        const warnings: ToolLoadWarning[] = [];
        try {
          const tool = await loadToolFile(file, { strict: flags.strict === true, onWarning: (w) => warnings.push(w) });
          results.push({ file, ok: true, id: tool.id, ...(warnings.length > 0 && { warnings: warnings.map(warningJson) }) });
        } catch (err) {
          if (!isBioImageItError(err)) throw err;
          results.push({ file, ok: false, error: err.message });
        }
      }
      if (g.json) printJson(ctx.output, results);
      else {
        for (const r of results) {
          for (const w of r.warnings ?? []) ctx.output.err(`warning: ${w.message}`);
          if (r.ok) ctx.output.out(`ok: ${r.file} (${r.id})${r.warnings ? ` with ${r.warnings.length} warning(s)` : ''}`);
          else ctx.output.err(`invalid: ${r.error}`);
        }
      }
      if (results.some((r) => !r.ok)) ctx.exitCode = 1;
    });

  dirOption(tools.command('test').description("run a tool's own test cases (its manifest's tests / v1 <tests>)"))
    .argument('<id>', 'tool id, or v1 key')
    .action(async (id: string, flags: { dir?: string[] }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const kernel = await ctx.getKernel(g);
      const tool = await toolSource(
        kernel,
        flags.dir?.map((d) => resolve(ctx.cwd, d)),
      ).getTool(id);
      const results = await runToolTests(kernel, tool);
      if (g.json) printJson(ctx.output, { tool: tool.id, results });
      else if (results.length === 0) ctx.output.out(`tool '${tool.id}' declares no tests`);
      else {
        for (const r of results) {
          if (r.passed) ctx.output.out(`test ${r.index + 1}: passed`);
          else ctx.output.err(`test ${r.index + 1}: FAILED: ${r.problems.join('; ')}`);
        }
        ctx.output.out(`${results.filter((r) => r.passed).length} passed, ${results.filter((r) => !r.passed).length} failed`);
      }
      if (results.some((r) => !r.passed)) ctx.exitCode = 1;
    });
}

/** A load warning as `--json` prints it. */
function warningJson(w: ToolLoadWarning): { file: string; line: number; quirk: string; message: string } {
  return { file: w.file, line: w.line, quirk: w.quirk, message: w.message };
}
