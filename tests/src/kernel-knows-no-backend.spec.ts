import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KNOWN_PLUGINS } from '@bioimageit/cli';
import { REPO } from './cli-harness.js';

/**
 * The kernel knows no backend, not even by name (DESIGN.md): runner plugins say in their manifests
 * which tool requirements they satisfy and how their capability is probed, and the default plugin
 * lists belong to the CLI.
 *
 * The rule this spec applies to core/src (its code, not its comments: JSDoc may name examples;
 * `*.spec.ts`, `testing/` and `test-support/` are tests, not kernel logic):
 * - no package name of another @bioimageit package (`@bioimageit/local-fs`, `@bioimageit/cli`...);
 * - no backend word (a runner id, a storage scheme, a capability or the program that probes it:
 *   docker, conda, slurm, omero, native, apptainer, cuda, nvidia, sbatch, podman), except
 *   - in core/src/tools/ and the tool manifest's types (`tool-manifest.ts`, wherever the data model
 *     keeps them): the tool manifest's own vocabulary. A tool says what it needs
 *     (`requirements.docker.image`, `requirements.conda.packages`, `requirements.native`, and v1's
 *     `<container type="docker">`), and runner plugins declare which of those keys they satisfy;
 *     the schema describing the keys is not kernel logic choosing a backend;
 *   - the lines listed in ALLOWED below, each with its reason.
 */
const CORE_SRC = join(REPO, 'core/src');
const PACKAGE = /@bioimageit\/(?!core\b)[a-z0-9-]+/;
const BACKEND = /\b(docker|conda|slurm|omero|native|apptainer|cuda|nvidia|sbatch|podman)\b/i;

const ALLOWED: readonly { readonly file: string; readonly line: RegExp; readonly why: string }[] = [
  {
    file: 'engine/choose-runner.ts',
    line: /^const HOST_REQUIREMENTS: readonly \(keyof ToolRequirements\)\[\] = \['native'\];$/,
    why: "the built-in local runner's own declaration: the tool requirement key it honours (tool vocabulary, typed against ToolRequirements), not a runner id",
  },
  {
    file: 'provenance/crate-tool.ts',
    line: /^if \(manifest\.requirements\.conda\?\.file !== undefined\) named\.add\(join\(dir, manifest\.requirements\.conda\.file\)\);$/,
    why: "the crate includes the tool's files its manifest names, the environment file of `requirements.conda` among them (tool manifest vocabulary, typed against ToolRequirements)",
  },
  {
    file: 'provenance/crate-environment.ts',
    line: /conda/i,
    why: 'the RO-Crate export describes the locked environment a runner recorded in its job environment (`environment.conda`); moving that description into the runner plugin is a separate change (known remaining leak)',
  },
];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'testing' || entry.name === 'test-support' ? [] : sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** The code of a TypeScript file with its comments blanked (strings kept, so `unix://` is no comment). */
function withoutComments(text: string): string {
  let out = '';
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote !== undefined) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const comment = text.slice(i, end === -1 ? text.length : end + 2);
      out += comment.replace(/[^\n]/g, ' ');
      i += comment.length - 1;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') quote = c;
    out += c;
  }
  return out;
}

describe('the kernel knows no backend', () => {
  it('core/src names no backend and no other @bioimageit package outside the tool manifest vocabulary', () => {
    const found: string[] = [];
    for (const path of sources(CORE_SRC)) {
      const file = relative(CORE_SRC, path);
      const lines = withoutComments(readFileSync(path, 'utf8')).split('\n');
      lines.forEach((line, i) => {
        const packageName = PACKAGE.exec(line);
        if (packageName !== null) found.push(`${file}:${i + 1}: package name ${packageName[0]}`);
        if (file.startsWith('tools/') || basename(file).startsWith('tool-manifest')) return;
        const word = BACKEND.exec(line);
        if (word === null || ALLOWED.some((a) => a.file === file && a.line.test(line.trim()))) return;
        found.push(`${file}:${i + 1}: backend word '${word[0]}': ${line.trim()}`);
      });
    }
    expect(found).toEqual([]);
  });

  it('finds what it looks for (the comment stripper keeps code and strings)', () => {
    expect(withoutComments("const a = 'unix://x'; // docker\n/* conda */ const b = `native`;")).toBe("const a = 'unix://x'; \n            const b = `native`;");
  });

  it("the CLI's catalogue of known runner plugins says what their manifests declare", () => {
    for (const known of KNOWN_PLUGINS) {
      const folder = known.packageName.replace('@bioimageit/', 'plugins/');
      const pkg = JSON.parse(readFileSync(join(REPO, folder, 'package.json'), 'utf8')) as {
        name: string;
        bioimageit: { contributes: { runners?: unknown[] } };
      };
      expect(pkg.name).toBe(known.packageName);
      expect(known.runners, known.packageName).toEqual(pkg.bioimageit.contributes.runners);
    }
  });
});
