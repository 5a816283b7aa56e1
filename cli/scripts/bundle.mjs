#!/usr/bin/env node
// Bundles the `bioimageit` command into cli/bundle/ (run by the build after tsc; bin/bioimageit.js
// runs it when it is there): the CLI, core, the server and the pure-JavaScript plugins the CLI
// depends on, from their sources (the `source` export condition), with their npm dependencies, as
// ES modules split into chunks, so a command evaluates the code it uses and no other. Each package
// keeps its own tsc build in dist/ and stays publishable on its own; the bundle is one more output
// of @bioimageit/cli.
//
// - Workspace packages the CLI does not depend on (gpu-decon, model-zoo, the runners) and native
//   code stay outside; they load as plugins from node_modules or a folder.
// - `import.meta.url` in a bundled source file becomes the URL of that file's counterpart in its
//   package's dist/ (found at run time through the package's `./package.json` export), so paths
//   computed from it (tools/, templates/, public/, worker files, the folders packages are
//   resolved from) name the package's real files in this repository and in an npm install alike.
// - Extra entries shared/core.js, shared/core-formats.js and shared/inversify.js re-export the
//   bundle's own copies, and the entry hands their URLs to the kernel (HostModules.shared): a
//   plugin loaded from outside imports those, never a second core. Bundled plugin modules and the
//   server are handed over as imports of the bundle's own modules (HostModules.modules).
//
// `node cli/scripts/bundle.mjs [--metafile FILE]` (FILE: esbuild's metafile, for size analysis).
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..');
const repo = join(cli, '..');
const out = join(cli, 'bundle');

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
const workspaceDirs = ['core', 'server', 'cli', ...readdirSync(join(repo, 'plugins')).map((d) => `plugins/${d}`)].filter((d) =>
  existsSync(join(repo, d, 'package.json')),
);
/** Every workspace package: name, folder, manifest. */
const workspace = workspaceDirs.map((d) => ({ dir: join(repo, d), pkg: readJson(join(repo, d, 'package.json')) }));
const cliPkg = readJson(join(cli, 'package.json'));

/** The plugins bundled: those the CLI depends on (all pure JavaScript). */
const bundledPlugins = workspace.filter((p) => p.pkg.bioimageit !== undefined && cliPkg.dependencies?.[p.pkg.name] !== undefined);
/** Workspace packages the bundle must not contain: plugins the CLI does not depend on load from outside. */
const outside = workspace.filter((p) => p.pkg.name !== cliPkg.name && cliPkg.dependencies?.[p.pkg.name] === undefined).map((p) => p.pkg.name);
/** Packages bundled from their sources, by folder (for the import.meta.url rewrite). */
const sourcePackages = workspace.filter((p) => !outside.includes(p.pkg.name));
for (const { pkg } of sourcePackages) {
  // The bundle finds each package's folder at run time through this export.
  if (pkg.exports?.['./package.json'] === undefined) throw new Error(`bundle: ${pkg.name} must export './package.json'`);
}

/** Specifiers the bundle carries modules for: each bundled plugin's module and command modules, and the server. */
const hostModules = [
  '@bioimageit/server',
  ...bundledPlugins.flatMap(({ pkg }) =>
    [pkg.bioimageit.module, ...(pkg.bioimageit.contributes?.commands ?? []).map((c) => c.module)].map((m) => pkg.name + m.slice(1)),
  ),
];
/** Shared specifiers (core's SHARED_WITH_PLUGINS and core's subpath a plugin imports) → entry re-exporting the bundle's copy. */
const shared = { '@bioimageit/core': 'shared/core', '@bioimageit/core/formats': 'shared/core-formats', inversify: 'shared/inversify' };

const main = `import { runCli } from ${JSON.stringify(join(cli, 'src/program.ts'))};
const modules = {
${hostModules.map((s) => `  ${JSON.stringify(s)}: () => import(${JSON.stringify(s)}),`).join('\n')}
};
const shared = {
${Object.entries(shared)
  .map(([s, entry]) => `  ${JSON.stringify(s)}: new URL(${JSON.stringify(`./${entry}.js`)}, import.meta.url).href,`)
  .join('\n')}
};
process.exitCode = await runCli(process.argv.slice(2), { hostModules: { modules, shared } });
`;

const FILE_URL = `import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
const resolver = createRequire(import.meta.url);
const roots = new Map();
/** The URL of \`path\` (relative to its package folder) in the installed package \`name\`. */
export function packageFileUrl(name, path) {
  let root = roots.get(name);
  if (root === undefined) roots.set(name, (root = pathToFileURL(resolver.resolve(name + '/package.json')).href));
  return new URL(path, root).href;
}
`;

/** Virtual modules (the entries and the file-URL helper) and the import.meta.url rewrite. */
const bundlePlugin = {
  name: 'bioimageit-bundle',
  setup(b) {
    b.onResolve({ filter: /^bioimageit-bundle:/ }, (args) => ({ path: args.path.slice('bioimageit-bundle:'.length), namespace: 'bioimageit-bundle' }));
    b.onLoad({ filter: /.*/, namespace: 'bioimageit-bundle' }, ({ path }) => {
      const contents =
        path === 'main' ? main : path === 'file-url' ? FILE_URL : `export * from ${JSON.stringify(Object.keys(shared).find((s) => shared[s] === path))};\n`;
      return { contents, loader: 'js', resolveDir: cli };
    });
    b.onLoad({ filter: /\.[cm]?[jt]s$/ }, async ({ path }) => {
      const owner = sourcePackages.find((p) => path.startsWith(join(p.dir, 'src') + sep));
      if (owner === undefined || path.includes(`${sep}node_modules${sep}`)) return undefined;
      const text = await readFile(path, 'utf8');
      if (!text.includes('import.meta')) return undefined;
      const other = text.match(/import\.meta(?!\.url\b)[.\w]*/);
      if (other !== null)
        return { errors: [{ text: `${relative(repo, path)}: '${other[0]}' has no meaning in the bundle (only import.meta.url is rewritten)` }] };
      const distFile = relative(owner.dir, path)
        .replace(/^src[\\/]/, 'dist/')
        .replace(/\.([cm]?)ts$/, '.$1js')
        .split(sep)
        .join('/');
      // Paths computed from import.meta.url (workers, assets) are relative to this file: the package must be built.
      if (!existsSync(join(owner.dir, distFile)))
        return { errors: [{ text: `${relative(repo, path)}: ${owner.pkg.name} is not built (no ${distFile}): run npm run build` }] };
      const url = `__bioimageitPackageFileUrl(${JSON.stringify(owner.pkg.name)}, ${JSON.stringify(distFile)})`;
      // Appended, so that line numbers stay those of the source.
      const contents = `${text.replace(/\bimport\.meta\.url\b/g, url)}\nimport { packageFileUrl as __bioimageitPackageFileUrl } from 'bioimageit-bundle:file-url';\n`;
      return { contents, loader: path.endsWith('ts') ? 'ts' : 'js' };
    });
  },
};

const metafileArg = process.argv.indexOf('--metafile');
const staging = `${out}.tmp-${process.pid}`;
rmSync(staging, { recursive: true, force: true });
try {
  const result = await build({
    entryPoints: [
      { in: 'bioimageit-bundle:main', out: 'bioimageit' },
      ...Object.values(shared).map((entry) => ({ in: `bioimageit-bundle:${entry}`, out: entry })),
    ],
    outdir: staging,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    conditions: ['source'],
    external: [...outside, 'onnxruntime-node', '*.node'],
    chunkNames: 'chunks/[name]-[hash]',
    // CommonJS packages bundled into ES modules (commander, semver...) call require().
    banner: { js: "import { createRequire as __bioimageitCreateRequire } from 'node:module';\nconst require = __bioimageitCreateRequire(import.meta.url);" },
    plugins: [bundlePlugin],
    metafile: metafileArg > 0,
    logLevel: 'warning',
  });
  if (metafileArg > 0) writeFileSync(process.argv[metafileArg + 1], JSON.stringify(result.metafile));
  rmSync(out, { recursive: true, force: true });
  renameSync(staging, out);
} catch (err) {
  rmSync(staging, { recursive: true, force: true });
  if (!(err instanceof Error && 'errors' in err)) console.error(err);
  console.error('bundle: esbuild failed (see above)');
  process.exit(1);
}
