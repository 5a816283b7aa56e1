import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExperimentStore } from '@bioimageit/core';
import { LocalFsStorageBackend } from './local-fs-storage-backend.js';
import { runRecord, stagedOutput } from './test-support/processed-outputs.js';
import { copyV1Fixture } from './test-support/v1-fixture.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const child = (name: string): string => fileURLToPath(new URL(`./test-support/${name}`, import.meta.url));

let fixture: Awaited<ReturnType<typeof copyV1Fixture>>;
/** Processes a test started, killed by pid after it whatever happened. */
const started = new Set<number>();

beforeEach(async () => {
  fixture = await copyV1Fixture();
});
afterEach(async () => {
  for (const pid of started) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  started.clear();
  await fixture.cleanup();
});

/** Starts a test-support child under tsx; resolves with it once its stdout shows `marker`, and that line. */
async function startChild(script: string, args: string[], marker: RegExp): Promise<{ process: ChildProcess; line: string }> {
  const proc = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', child(script), ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  started.add(proc.pid as number);
  let stdout = '';
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    proc.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString();
      const found = stdout.split('\n').find((l) => marker.test(l));
      if (found !== undefined) resolve(found);
    });
    proc.once('exit', (code) => reject(new Error(`child exited (${code}) before ${marker}: ${stderr}`)));
  });
  return { process: proc, line };
}

async function kill9(proc: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  proc.kill('SIGKILL');
  await exited;
}

const open = (log: string[]): Promise<ExperimentStore> => new LocalFsStorageBackend({ log: (line) => log.push(line) }).openExperiment(fixture.experiment);

/** Names of the files of dataset folder `dir` that its listed items use (item files, data files), plus the dataset file. */
async function listedFiles(store: ExperimentStore, dataset: string, dir: string, datasetFile: string): Promise<Set<string>> {
  const names = new Set([datasetFile]);
  for (const item of await store.items(dataset)) {
    names.add(path.basename(fileURLToPath(item.uri)));
    const data = fileURLToPath(item.dataUri);
    if (path.dirname(data) === dir) names.add(path.basename(data));
  }
  return names;
}

describe('local-fs: what a killed process leaves is swept on the next open', () => {
  it('an import killed with SIGKILL mid-write leaves no uncommitted or temporary file after the next open', async () => {
    const data = path.join(fixture.experiment, 'data');
    const before = await open([]);
    const listedBefore = await listedFiles(before, 'data', data, 'raw_dataset.md.json');
    const unlistedBefore = (await readdir(data)).filter((n) => !listedBefore.has(n)); // what the fixture holds besides: never touched
    await before.close();

    // Big batches: the writer spends most of its time between its first file and its commit point.
    const writer = await startChild('add-items-child.ts', [fixture.experiment, path.join(fixture.workspace, 'src'), 'killed', '400', '60'], /^batch 2$/);
    await new Promise((r) => setTimeout(r, 150 + Math.random() * 200));
    await kill9(writer.process);

    const log: string[] = [];
    const store = await open(log);
    const listed = await listedFiles(store, 'data', data, 'raw_dataset.md.json');
    expect((await readdir(data)).filter((n) => !listed.has(n)).sort()).toEqual(unlistedBefore.sort());
    expect((await readdir(path.join(fixture.experiment, '.bioimageit'))).filter((n) => n.endsWith('.tmp') || n === 'journal.json' || n === 'lock')).toEqual([]);
    const items = await store.items();
    expect((items.length - 100) % 61).toBe(0);
    for (const item of items) expect((await readFile(fileURLToPath(item.uri), 'utf8')).length).toBeGreaterThan(0);
    if (log.length > 0) expect(log).toEqual([expect.stringMatching(/^local-fs: swept .* in experiment '.*exp100'$/)]);
    await store.close();
  });

  it("sweeps the staging folders of a killed process, except one a live tool still works in, and never a live process's", async () => {
    const log: string[] = [];
    const mine = await open(log);
    const own = await mine.createStagingDir('live-run');
    const owner = await startChild('staging-child.ts', [fixture.experiment, '3'], /^ready \d+$/);
    const tool = Number(owner.line.split(' ')[1]);
    started.add(tool);
    const staging = path.join(fixture.experiment, '.bioimageit', 'staging');
    expect(await readdir(staging)).toHaveLength(4);
    // Staging folders of a live process are never swept.
    await (await open(log)).close();
    expect(await readdir(staging)).toHaveLength(4);
    expect(log).toEqual([]);

    await kill9(owner.process);
    const after = await open(log);
    const left = await readdir(staging);
    expect(left).toHaveLength(2);
    expect(left).toContain(path.basename(own));
    expect(left.find((n) => n !== path.basename(own))).toMatch(/^run1234-job-0@/);
    expect(log).toEqual([`local-fs: swept 2 staging folder(s) of dead processes in experiment '${fixture.experiment}'`]);

    process.kill(tool, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 100));
    await (await open(log)).close();
    expect(await readdir(staging)).toEqual([path.basename(own)]);
    expect(log).toHaveLength(2);
    await after.close();
    await mine.close();
  });

  it('undoes the files a commit killed before its commit point had put into the dataset, and keeps every committed one', async () => {
    const setup = await open([]);
    const raw = (await setup.items())[0] as { id: string };
    await setup.ensureProcessedDataset('thr');
    await setup.saveRun(runRecord('thr', 'run-1'));
    const [committed] = await setup.commitProcessedItems('thr', [await stagedOutput(setup, 'o_a.tif', 'run-1', [raw.id])]);
    await setup.close();
    const thr = path.join(fixture.experiment, 'thr');
    const committedFiles = [path.basename(fileURLToPath(committed?.uri as string)), path.basename(fileURLToPath(committed?.dataUri as string))];
    const filesBefore = (await readdir(thr)).sort();

    // What a writer killed between placing its files and rewriting the dataset file leaves:
    // its files, its journal (naming the committed files too, as a name clash would), its lock.
    const dead = spawnSync('true').pid as number;
    await writeFile(path.join(thr, 'o_b.tif'), 'moved in from staging');
    await writeFile(path.join(thr, 'o_b.md.json'), '{}');
    const meta = path.join(fixture.experiment, '.bioimageit');
    await mkdir(meta, { recursive: true });
    await writeFile(path.join(meta, 'journal.json'), JSON.stringify({ folder: 'thr', files: ['o_b.tif', 'o_b.md.json', ...committedFiles] }));
    await writeFile(path.join(meta, 'lock'), JSON.stringify({ pid: dead, host: hostname(), time: new Date().toISOString(), token: 'dead' }));

    const log: string[] = [];
    const store = await open(log);
    expect((await readdir(thr)).sort()).toEqual(filesBefore);
    expect((await readdir(meta)).filter((n) => n === 'journal.json' || n === 'lock')).toEqual([]);
    expect(log).toEqual([`local-fs: swept 2 uncommitted file(s) of an interrupted write in experiment '${fixture.experiment}'`]);
    expect((await store.items('thr')).map((i) => i.id)).toEqual([committed?.id]);
    await store.close();
  });
});
