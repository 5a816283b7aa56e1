import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeTiff } from '@bioimageit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addonOrSkip } from '../src/test-support/addon-or-skip.js';

const PACKAGE = join(dirname(fileURLToPath(import.meta.url)), '..');
const REPO = join(PACKAGE, '../..');
const CLI = join(REPO, 'cli/bin/bioimageit.js');
const addon = addonOrSkip(import.meta.url);

/** Builds this package's JavaScript when dist/ is missing or older than src/ (the built CLI imports dist). */
function ensureBuilt(): void {
  const newest = (dir: string): number =>
    Math.max(0, ...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs)));
  const built = join(PACKAGE, 'dist/gpu-decon-module.js');
  if (!existsSync(built) || newest(join(PACKAGE, 'src')) > statSync(built).mtimeMs) {
    execFileSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: PACKAGE, stdio: 'inherit' });
  }
}

/** A lattice-like raw stack: beads on a tilted sheet, each drifting 2.5 px along x per plane, on a camera offset. */
async function writeLatticeStack(path: string): Promise<void> {
  const [nz, ny, nx] = [32, 40, 56];
  const data = new Uint16Array(nz * ny * nx).fill(100);
  let seed = 7;
  const random = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let b = 0; b < 12; b++) {
    const [zc, yc, xc] = [4 + random() * 24, 3 + random() * 34, 8 + random() * 40];
    for (let z = 0; z < nz; z++)
      for (let y = 0; y < ny; y++)
        for (let x = 0; x < nx; x++) {
          const xr = xc - 2.5 * (z - zc);
          data[(z * ny + y) * nx + x]! += Math.round(1500 * Math.exp(-((z - zc) ** 2) / 6 - ((y - yc) ** 2 + (x - xr) ** 2) / 2.5));
        }
  }
  await writeTiff(
    path,
    {
      data,
      shape: [nz, ny, nx],
      dtype: 'uint16',
      axes: 'ZYX',
      physicalSize: { z: { value: 0.3, unit: 'µm' }, y: { value: 0.1, unit: 'µm' }, x: { value: 0.1, unit: 'µm' } },
    },
    { ome: true },
  );
}

async function writePsf(path: string): Promise<void> {
  const psf = new Float32Array(9 * 9 * 9);
  for (let z = 0; z < 9; z++)
    for (let y = 0; y < 9; y++)
      for (let x = 0; x < 9; x++) psf[(z * 9 + y) * 9 + x] = 3 + 1000 * Math.exp(-((z - 4) ** 2) / 6 - ((y - 4) ** 2 + (x - 4) ** 2) / 2.5);
  await writeTiff(path, { data: psf, shape: [9, 9, 9], dtype: 'float32', axes: 'ZYX' });
}

describe.skipIf(addon === undefined)('bioimageit run gpu-decon.llsm (built CLI, separate process)', () => {
  let ws = '';
  const run = (...args: string[]) => {
    const r = spawnSync(process.execPath, [CLI, ...args], {
      cwd: ws,
      env: { ...process.env, BIOIMAGEIT_WORKSPACE: ws, BIOIMAGEIT_FFTW_WISDOM: join(ws, '.wisdom'), USER: 'tester' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  beforeAll(async () => {
    ensureBuilt();
    ws = mkdtempSync(join(tmpdir(), 'gpu-decon-cli-'));
    writeFileSync(join(ws, 'bioimageit.config.json'), JSON.stringify({ plugins: ['@bioimageit/local-fs', '@bioimageit/gpu-decon'], license: 'CC-BY-4.0' }));
    mkdirSync(join(ws, 'incoming'));
    await writeLatticeStack(join(ws, 'incoming', 'cell1.ome.tif'));
    await writePsf(join(ws, 'incoming', 'psf.tif'));
  });
  afterAll(() => rmSync(ws, { recursive: true, force: true }));

  it('lists the plugin tools, runs llsm through the job engine on the native runner, and records provenance', () => {
    const tools = run('tools', 'list');
    expect(tools.code, tools.stderr).toBe(0);
    expect(tools.stdout).toMatch(/gpu-decon\.deskew/);
    expect(tools.stdout).toMatch(/gpu-decon\.llsm/);
    expect(run('experiment', 'create', 'LLS').code).toBe(0);
    const imported = run('import', 'incoming', '-e', 'LLS');
    expect(imported.code, imported.stderr).toBe(0);
    const result = run(
      'run',
      'gpu-decon.llsm',
      '-e',
      'LLS',
      '-i',
      'stack=data:name=cell1',
      '-i',
      'psf=data:name=psf',
      '--match-by-position',
      '-p',
      'dz=0.3',
      '-p',
      'dx=0.1',
      '-p',
      'angle=31.5',
      '-p',
      'iterations=6',
      '-p',
      'napodize=4',
      '-o',
      'decon',
    );
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    const files = readdirSync(join(ws, 'LLS', 'decon'));
    const deskewed = files.find((f) => f.endsWith('_deskewed.ome.tif'));
    const deconvolved = files.find((f) => f.endsWith('_deconvolved.ome.tif'));
    const mip = files.find((f) => f.endsWith('_mip.png'));
    expect(
      [deskewed, deconvolved, mip].every((f) => f !== undefined),
      files.join(', '),
    ).toBe(true);
    expect(
      readFileSync(join(ws, 'LLS', 'decon', mip!))
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');
    const listed = run('--json', 'runs', 'list', '-e', 'LLS');
    expect(listed.code, listed.stderr).toBe(0);
    const [summary] = JSON.parse(listed.stdout) as { id: string }[];
    const shown = run('--json', 'runs', 'show', summary!.id, '-e', 'LLS');
    expect(shown.code, shown.stderr).toBe(0);
    const record = JSON.parse(shown.stdout) as {
      status: string;
      runner: string;
      tool: { id: string; digest: string };
      parameters: { name: string; value: string }[];
      jobs: { status: string; exitCode: number; environment: Record<string, unknown>; outputs: unknown[] }[];
    };
    expect(record).toMatchObject({ status: 'succeeded', runner: 'native', tool: { id: 'gpu-decon.llsm' } });
    const params = Object.fromEntries(record.parameters.map((p) => [p.name, p.value]));
    expect(params).toMatchObject({ dz: '0.3', dx: '0.1', iterations: '6', padding: 'wrap', accelerate: 'true' });
    expect(record.jobs).toHaveLength(1);
    expect(record.jobs[0]).toMatchObject({
      status: 'succeeded',
      exitCode: 0,
      environment: { runner: 'native', plugin: 'gpu-decon', device: 'cpu', mode: 'wrap' },
    });
    expect(String(record.jobs[0]!.environment['fftw'])).toMatch(/^fftw-3/);
    expect(record.jobs[0]!.outputs).toHaveLength(3);
    const logs = run('runs', 'show', summary!.id, '-e', 'LLS', '--log', '1');
    expect(logs.stdout).toMatch(/deskewed 32×40×56 -> 32×40×/);
    expect(logs.stdout).toMatch(/progress: 100%/);
    const crate = join(ws, 'crate');
    const exported = run('provenance', 'export', '-e', 'LLS', '--ro-crate', crate, '--prov', join(ws, 'prov.json'), '--check');
    expect(exported.code, `${exported.stdout}\n${exported.stderr}`).toBe(0);
    const metadata = readFileSync(join(crate, 'ro-crate-metadata.json'), 'utf8');
    expect(metadata).toMatch(/gpu-decon\.llsm/);
    expect(metadata).toMatch(/_mip\.png/);
    expect(metadata).toMatch(/_deconvolved\.ome\.tif/);
    expect(readFileSync(join(ws, 'prov.json'), 'utf8')).toMatch(/gpu-decon\.llsm/);
  });

  it('a bad parameter is refused before any job runs, naming the parameter and its range', () => {
    const result = run('run', 'gpu-decon.deskew', '-e', 'LLS', '-i', 'stack=data:name=cell1', '-p', 'dz=-1', '-o', 'bad');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/dz/);
  });
});

describe('without the native addon (FFTW missing when the package was built)', () => {
  let ws = '';
  const run = (...args: string[]) => {
    const r = spawnSync(process.execPath, [CLI, ...args], {
      cwd: ws,
      env: { ...process.env, BIOIMAGEIT_WORKSPACE: ws, GPUDECON_ADDON: join(ws, 'missing', 'gpu_decon.node'), USER: 'tester' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  beforeAll(() => {
    ensureBuilt();
    ws = mkdtempSync(join(tmpdir(), 'gpu-decon-noaddon-'));
    writeFileSync(join(ws, 'bioimageit.config.json'), JSON.stringify({ plugins: ['@bioimageit/local-fs', '@bioimageit/gpu-decon'], license: 'CC-BY-4.0' }));
  });
  afterAll(() => rmSync(ws, { recursive: true, force: true }));

  it('the CLI keeps working; the plugin is reported unavailable with the command that fixes it', () => {
    const tools = run('tools', 'list');
    expect(tools.code, tools.stderr).toBe(0);
    expect(tools.stdout).not.toMatch(/gpu-decon\.llsm/);
    expect(tools.stderr).toMatch(/gpu-decon.*unavailable.*apt-get install -y libfftw3-dev/s);
    expect(run('experiment', 'create', 'E').code).toBe(0);
    const result = run('run', 'gpu-decon.deskew', '-e', 'E', '-o', 'out');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/libfftw3-dev .*npm run build -w plugins\/gpu-decon/);
  });
});
