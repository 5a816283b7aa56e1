import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { CORE_VERSION } from '@bioimageit/core';
import type { CliContext, GlobalOptions } from '../context.js';
import { printJson } from '../output.js';
import { UsageError } from '../usage-error.js';

/** The kinds of plugin `bioimageit plugin new` scaffolds. */
export const PLUGIN_KINDS = ['storage', 'runner', 'tools'] as const;
export type PluginKind = (typeof PLUGIN_KINDS)[number];

/** Template files, shipped with the CLI (`cli/templates/plugin/{common,KIND}`, `.tmpl` dropped). */
const TEMPLATES = fileURLToPath(new URL('../../templates/plugin/', import.meta.url));

const KIND_TEXT: Record<PluginKind, { what: string; contract: string; use: string }> = {
  storage: {
    what: 'a storage backend',
    contract: 'storage backend contract suite (describeStorageBackendContract)',
    use: 'Point a workspace at it with `"experiments": "__ID__:///absolute/folder"`, or open an experiment by such a URI.',
  },
  runner: {
    what: 'a runner',
    contract: 'runner contract suite (describeRunnerContract)',
    use: 'A tool whose manifest declares `"requirements": { "__ID__": {} }` runs through it (the requirement keys it honours are the manifest\'s `contributes.runners[0].satisfies`: add yours); any tool runs through it with `bioimageit run TOOL --runner __ID__ ...`.',
  },
  tools: {
    what: 'analysis tools (a tool source)',
    contract: 'tool manifest validation on every file in tools/',
    use: 'Its tools appear in `bioimageit tools list`; add one folder with a `*.tool.json` per tool under `tools/` (see docs/writing-a-tool.md).',
  },
};

/** What `scaffoldPlugin` wrote. */
export interface ScaffoldResult {
  readonly directory: string;
  readonly packageName: string;
  readonly id: string;
  readonly files: readonly string[];
}

/** The plugin id derived from a package name: `@lab/Apptainer_Runner` → `apptainer-runner`. */
export function pluginIdOf(packageName: string): string {
  const id = (packageName.split('/').pop() ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+|-+$/g, '');
  if (id === '') throw new UsageError(`cannot make a plugin id from '${packageName}' (use letters)`);
  return id;
}

/**
 * Writes a new plugin package of `kind` named `packageName` into `parent/ID`: package.json with
 * its `bioimageit` manifest, tsconfig.json, README.md, src/module.ts and the kind's source, and a
 * vitest spec running core's contract suite, which passes as scaffolded.
 */
export async function scaffoldPlugin(kind: PluginKind, packageName: string, parent: string): Promise<ScaffoldResult> {
  if (!/^(?:@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/.test(packageName)) {
    throw new UsageError(`'${packageName}' is not a valid npm package name (lower-case, optionally @scope/name)`);
  }
  const id = pluginIdOf(packageName);
  const className = id.replace(/(?:^|-)([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
  const directory = resolve(parent, id);
  if (existsSync(directory) && (await readdir(directory)).length > 0) throw new UsageError(`${directory} exists and is not empty`);
  const core = `^${CORE_VERSION}`;
  const text = KIND_TEXT[kind];
  const fill = (s: string): string =>
    s
      .replaceAll('__WHAT__', text.what)
      .replaceAll('__CONTRACT__', text.contract)
      .replaceAll('__USE__', text.use)
      .replaceAll('__KIND__', kind)
      .replaceAll('__PACKAGE__', packageName)
      .replaceAll('__CLASS__', className)
      .replaceAll('__ID__', id);
  const contributes = {
    storage: { storage: [{ scheme: id }] },
    runner: { runners: [{ id, satisfies: [id] }] },
    tools: { toolSources: [{ id }] },
  }[kind];
  const pkg = {
    name: packageName,
    version: '0.1.0',
    description: `BioImageIT plugin: ${text.what}.`,
    type: 'module',
    keywords: ['bioimageit', 'bioimageit-plugin'],
    engines: { node: '>=20.19.0' },
    exports: { './module': { types: './dist/module.d.ts', default: './dist/module.js' }, './package.json': './package.json' },
    files: ['dist', ...(kind === 'tools' ? ['tools'] : []), 'README.md'],
    scripts: { build: 'tsc', test: 'vitest run', prepack: 'tsc' },
    peerDependencies: { '@bioimageit/core': core, inversify: '^8.2.3' },
    devDependencies: { '@bioimageit/core': core, '@types/node': '^20.19.0', inversify: '^8.2.3', typescript: '~5.9.3', vitest: '^4.1.0' },
    bioimageit: { id, engines: { core }, module: './module', contributes },
  };
  const files = new Map<string, string>([['package.json', `${JSON.stringify(pkg, null, 2)}\n`]]);
  for (const [from, to] of [
    ['common', ''],
    [kind, 'src'],
  ] as const) {
    for (const file of await templateFiles(join(TEMPLATES, from))) {
      const target = from === 'common' ? file : file.startsWith('tools/') ? file : join(to, file);
      files.set(target.replace(/\.tmpl$/, ''), fill(await readFile(join(TEMPLATES, from, file), 'utf8')));
    }
  }
  for (const [file, content] of files) {
    await mkdir(join(directory, file, '..'), { recursive: true });
    await writeFile(join(directory, file), content);
  }
  return { directory, packageName, id, files: [...files.keys()].sort() };
}

async function templateFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) out.push(...(await templateFiles(dir, path)));
    else out.push(path);
  }
  return out;
}

/** `bioimageit plugin new storage|runner|tools NAME [--dir D]`: scaffolds a plugin package. */
export function registerPluginNewCommand(program: Command, ctx: CliContext): void {
  const plugin = program.command('plugin').description('write BioImageIT plugins');
  plugin
    .command('new')
    .description("scaffold a plugin package (TypeScript, manifest, README, a vitest suite running core's contract suite)")
    .argument('<kind>', `what the plugin contributes: ${PLUGIN_KINDS.join(', ')}`)
    .argument('<name>', 'npm package name, e.g. @lab/apptainer-runner (the folder and plugin id drop the scope)')
    .option('--dir <dir>', 'folder to create the package folder in (default: the current folder)')
    .action(async (kind: string, name: string, flags: { dir?: string }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      if (!(PLUGIN_KINDS as readonly string[]).includes(kind)) throw new UsageError(`unknown plugin kind '${kind}' (${PLUGIN_KINDS.join(', ')})`);
      const result = await scaffoldPlugin(kind as PluginKind, name, resolve(ctx.cwd, flags.dir ?? '.'));
      if (g.json) return printJson(ctx.output, result);
      const near = relative(ctx.cwd, result.directory);
      const where = near === '' ? '.' : near.startsWith('..') ? result.directory : near;
      ctx.output.out(
        [
          `created ${result.packageName} (plugin ${result.id}) in ${result.directory}:`,
          ...result.files.map((f) => `  ${f}`),
          'next:',
          `  cd ${where} && npm install && npm test && npm run build`,
          `  add "${result.directory}" to "plugins" in bioimageit.config.json`,
        ].join('\n'),
      );
    });
}
