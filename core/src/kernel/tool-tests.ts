import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ToolError } from '../errors/area-errors.js';
import { readTiffPixels } from '../formats/index.js';
import type { DataItem } from '../model/data-item.js';
import type { ToolManifest, ToolTest, ToolTestCompare } from '../tools/tool-manifest.js';
import type { Kernel } from './kernel.js';

/** Outcome of one test case of a tool manifest. */
export interface ToolTestResult {
  readonly index: number;
  readonly passed: boolean;
  /** One line per failed check (`output o: size 120 bytes, expected 1280 (same_size)`). */
  readonly problems: readonly string[];
  readonly runStatus?: string;
}

/**
 * Runs the test cases a tool manifest declares (v1 `<tests>`): each case imports its input files
 * into a scratch experiment (a temporary folder, removed afterwards), runs the tool through the
 * job engine with the case's parameters, and compares each declared output with its expected
 * file: `exists`; `same_size` (equal byte size); `sim_size` (within 10 %); `sim_content` (TIFF:
 * same shape and mean absolute difference <= 1 % of the expected range; other files: identical
 * text ignoring line endings); no compare: identical bytes. Relative file names are looked up in
 * the tool's `test-data/` folder, then beside the manifest. Throws ToolError NOT_FOUND when a
 * declared test file is missing.
 */
export async function runToolTests(kernel: Kernel, tool: ToolManifest): Promise<ToolTestResult[]> {
  const results: ToolTestResult[] = [];
  for (const [index, test] of tool.tests.entries()) results.push(await runOne(kernel, tool, test, index));
  return results;
}

async function runOne(kernel: Kernel, tool: ToolManifest, test: ToolTest, index: number): Promise<ToolTestResult> {
  const scratch = await mkdtemp(join(tmpdir(), 'bioimageit-tooltest-'));
  try {
    const store = await kernel.createExperiment({ name: `test${index}`, author: kernel.config.user.name, keys: ['input'] }, scratch);
    for (const [name, file] of Object.entries(test.inputs)) {
      const report = await kernel.importData(store, testFile(tool, file), { tagRules: [{ kind: 'set', tags: { input: name } }], mode: 'copy' });
      const failure = report.failed[0] ?? (report.imported.length === 0 ? { error: `no known format for ${file}` } : undefined);
      if (failure !== undefined) return { index, passed: false, problems: [`input ${name}: ${failure.error}`] };
    }
    const names = Object.keys(test.inputs);
    const outcome = await kernel.runTool(store, {
      tool,
      params: test.params,
      inputs: names.map((name) => ({ name, query: `input="${name.replace(/["\\]/g, '\\$&')}"` })),
      outputDataset: 'test',
      cache: false,
      ...(names.length > 1 && { matchBy: 'position' as const }),
    });
    if (outcome.record.status !== 'succeeded') {
      const why = outcome.record.jobs.map((j) => j.error).filter((e) => e !== undefined);
      return { index, passed: false, runStatus: outcome.record.status, problems: [`run ${outcome.record.status}: ${why.join('; ') || 'no job succeeded'}`] };
    }
    const produced = await store.items('test');
    const problems: string[] = [];
    for (const [name, expected] of Object.entries(test.outputs)) {
      const item = produced.find((p) => p.origin.type === 'processed' && p.origin.output.name === name);
      if (item === undefined) {
        problems.push(`output ${name}: not produced`);
        continue;
      }
      if (expected.file !== undefined) {
        const problem = await compareOutput(item, testFile(tool, expected.file), expected.compare);
        if (problem !== undefined) problems.push(`output ${name}: ${problem}`);
      }
    }
    return { index, passed: problems.length === 0, runStatus: outcome.record.status, problems };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function testFile(tool: ToolManifest, file: string): string {
  if (isAbsolute(file)) return file;
  const dir = dirname(tool.source);
  const candidates = [join(dir, 'test-data', file), join(dir, file)];
  const found = candidates.find((c) => existsSync(c));
  if (found === undefined) {
    throw new ToolError('NOT_FOUND', `tool '${tool.id}' test file '${file}' is missing (looked in ${candidates.join(', ')})`, {
      details: { tool: tool.id, file },
    });
  }
  return found;
}

/** Returns why the produced item does not match the expected file, or undefined when it does. */
async function compareOutput(item: DataItem, expectedPath: string, compare: ToolTestCompare | undefined): Promise<string | undefined> {
  const actualPath = fileURLToPath(item.dataUri);
  if (compare === 'exists') return existsSync(actualPath) ? undefined : 'file missing';
  const [actual, expected] = await Promise.all([stat(actualPath), stat(expectedPath)]);
  if (compare === 'same_size') return actual.size === expected.size ? undefined : `size ${actual.size} bytes, expected ${expected.size} (same_size)`;
  if (compare === 'sim_size') {
    return Math.abs(actual.size - expected.size) <= 0.1 * expected.size ? undefined : `size ${actual.size} bytes, expected ${expected.size} ± 10 % (sim_size)`;
  }
  if (compare === 'sim_content') return similarContent(actualPath, expectedPath);
  const [a, b] = await Promise.all([readFile(actualPath), readFile(expectedPath)]);
  return a.equals(b) ? undefined : 'content differs from the expected file';
}

async function similarContent(actualPath: string, expectedPath: string): Promise<string | undefined> {
  if (/\.tiff?$/i.test(expectedPath)) {
    const [a, e] = await Promise.all([readTiffPixels(actualPath), readTiffPixels(expectedPath)]);
    if (a.shape.join('x') !== e.shape.join('x')) return `shape ${a.shape.join('x')}, expected ${e.shape.join('x')} (sim_content)`;
    let min = Infinity;
    let max = -Infinity;
    let diff = 0;
    for (let i = 0; i < e.data.length; i++) {
      const ev = Number(e.data[i]);
      min = Math.min(min, ev);
      max = Math.max(max, ev);
      diff += Math.abs(Number(a.data[i]) - ev);
    }
    const mean = diff / Math.max(1, e.data.length);
    const range = Math.max(max - min, Number.EPSILON);
    return mean <= 0.01 * range ? undefined : `mean absolute difference ${mean.toPrecision(3)} exceeds 1 % of the range ${range} (sim_content)`;
  }
  const [a, b] = await Promise.all([readFile(actualPath, 'utf8'), readFile(expectedPath, 'utf8')]);
  return a.replace(/\r\n/g, '\n') === b.replace(/\r\n/g, '\n') ? undefined : 'content differs (sim_content)';
}
