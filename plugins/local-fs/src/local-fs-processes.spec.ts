import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExperimentStore } from '@bioimageit/core';
import { LocalFsStorageBackend } from './local-fs-storage-backend.js';
import { sourceItems } from './test-support/source-files.js';
import { copyV1Fixture } from './test-support/v1-fixture.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const CHILD = fileURLToPath(new URL('./test-support/add-items-child.ts', import.meta.url));

interface Child {
  readonly process: ChildProcess;
  /** Resolves once the child printed `batch <n>`. */
  committed(n: number): Promise<void>;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

function startChild(experiment: string, sourceDir: string, prefix: string, batches: number, batchSize: number): Child {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', CHILD, experiment, sourceDir, prefix, String(batches), String(batchSize)], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: { n: number; resolve: () => void }[] = [];
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const w of waiters) if (stdout.includes(`batch ${w.n}\n`)) w.resolve();
  });
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
  return {
    process: child,
    exit,
    committed: (n) =>
      new Promise<void>((resolve, reject) => {
        waiters.push({ n, resolve });
        if (stdout.includes(`batch ${n}\n`)) resolve();
        void exit.then(({ code, stderr: err }) => reject(new Error(`child exited (${code}) before batch ${n}: ${err}`)));
      }),
  };
}

/** Every listed item has a readable item file and its data with the recorded checksum. */
async function checkReadable(store: ExperimentStore): Promise<void> {
  for (const item of await store.items()) {
    JSON.parse(await readFile(fileURLToPath(item.uri), 'utf8'));
    if (item.sha256 !== undefined) {
      const data = await readFile(fileURLToPath(item.dataUri));
      expect(createHash('sha256').update(data).digest('hex'), item.name).toBe(item.sha256);
    }
    expect(item.name.endsWith('.tmp')).toBe(false);
  }
}

describe('local-fs across processes', () => {
  let fixture: Awaited<ReturnType<typeof copyV1Fixture>>;

  beforeEach(async () => {
    fixture = await copyV1Fixture();
  });
  afterEach(() => fixture.cleanup());

  it('leaves a readable experiment when a writer is killed with SIGKILL mid-import', async () => {
    const child = startChild(fixture.experiment, path.join(fixture.workspace, 'src-a'), 'killed', 400, 10);
    await child.committed(5);
    child.process.kill('SIGKILL');
    expect((await child.exit).signal).toBe('SIGKILL');
    const lockFile = path.join(fixture.experiment, '.bioimageit/lock');
    if (!existsSync(lockFile)) {
      await writeFile(lockFile, JSON.stringify({ pid: child.process.pid, host: hostname(), time: new Date().toISOString(), token: 'killed' }));
    }

    const store = await new LocalFsStorageBackend({ lockTimeoutMs: 10_000 }).openExperiment(fixture.experiment);
    const items = await store.items();
    expect(items.length).toBeGreaterThanOrEqual(100 + 6 * 11);
    expect((items.length - 100) % 11).toBe(0);
    expect(new Set(items.map((i) => i.name)).size).toBe(items.length);
    await checkReadable(store);
    const added = await store.addRawItems(await sourceItems(path.join(fixture.workspace, 'src-b'), 'after', 3));
    expect(added.map((i) => i.name)).toEqual(['after_0000.tif', 'after_0001.tif', 'after_0002.tif']);
    expect(await readdir(path.join(fixture.experiment, 'data')).then((names) => names.filter((n) => n.endsWith('.tmp')))).toEqual([]);
    const reopened = await new LocalFsStorageBackend().openExperiment(fixture.experiment);
    expect(await reopened.items()).toEqual([...items, ...added]);
    await checkReadable(reopened);
    await reopened.close();
    await store.close();
  });

  it('loses nothing when two processes import into one experiment at once', async () => {
    const a = startChild(fixture.experiment, path.join(fixture.workspace, 'src-a'), 'a', 20, 14);
    const b = startChild(fixture.experiment, path.join(fixture.workspace, 'src-b'), 'b', 20, 14);
    const [ea, eb] = await Promise.all([a.exit, b.exit]);
    expect(ea, ea.stderr).toMatchObject({ code: 0 });
    expect(eb, eb.stderr).toMatchObject({ code: 0 });
    const store = await new LocalFsStorageBackend().openExperiment(fixture.experiment);
    const items = (await store.items()).slice(100);
    expect(items).toHaveLength(600);
    expect(items.filter((i) => i.tags['writer'] === 'a')).toHaveLength(300);
    expect(items.filter((i) => i.tags['writer'] === 'b')).toHaveLength(300);
    expect(new Set(items.map((i) => i.name)).size).toBe(600);
    expect(new Set(items.map((i) => i.id)).size).toBe(600);
    expect(items.filter((i) => /^shared(_\d+)?\.tif$/.test(i.name))).toHaveLength(40);
    const listed = JSON.parse(await readFile(path.join(fixture.experiment, 'data/raw_dataset.md.json'), 'utf8')) as { urls: unknown[] };
    expect(listed.urls).toHaveLength(700);
    await checkReadable(store);
    await store.close();
  });
});
