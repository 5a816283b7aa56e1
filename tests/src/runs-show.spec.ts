import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunRecord } from '@bioimageit/core';
import { addV1ProcessedDataset } from '@bioimageit/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { V1_FIXTURES } from './cli-harness.js';
import { runJson, runWorkspace, type RunWorkspace } from './run-harness.js';

/** The run v1 left in `failed/`: biitfail failed on every input, yet v1 registered its three outputs. */
const FAILED_RUN = '119ae063-d920-45c1-9aab-ded5748da3b2';
const THRESHOLD_RUN = '62be6ed4-0ecc-49b4-a893-18f03402b94f';

let ws: RunWorkspace;
beforeAll(async () => {
  ws = await runWorkspace('bioimageit-runs-show-');
  await addV1ProcessedDataset(ws.exp, join(V1_FIXTURES, 'failed-run', 'failed'));
});
afterAll(() => ws.cleanup());

describe('runs list/show on the history BioImageIT v1 wrote', () => {
  it('lists v1 runs with status unknown (recorded by BioImageIT v1), no job counts, start or user', async () => {
    const out = await ws.run(['runs', 'list', '-e', 'exp100']);
    expect(out.code, out.stderr).toBe(0);
    const row = out.stdout.split('\n').find((l) => l.startsWith(FAILED_RUN));
    expect(row?.replace(/ +/g, ' ').trim()).toBe(`${FAILED_RUN} failed biitfail 1.0.0 unknown (recorded by BioImageIT v1)`);
    expect(out.stdout).not.toMatch(/succeeded|no jobs/);
    const json = JSON.parse((await ws.run(['runs', 'list', '-e', 'exp100', '--json'])).stdout) as RunRecord[];
    const v1 = json.find((r) => r.id === FAILED_RUN);
    expect(v1).toMatchObject({ status: 'unknown', recordedBy: 'bioimageit-v1', jobs: [] });
    expect(Object.keys(v1 ?? {}).filter((k) => ['runner', 'host', 'user', 'start', 'end'].includes(k))).toEqual([]);
    expect(v1?.tool).toEqual({ id: 'biitfail', name: 'biitfail_v1.0.0', version: '1.0.0', source: '/home/user/bioimageit/tools/biitfail/biitfail.xml' });
  });

  it('shows a failed-but-registered v1 run honestly: unknown status, no unrecorded fields, its never-written outputs missing', async () => {
    const out = await ws.run(['runs', 'show', FAILED_RUN.slice(0, 8), '-e', 'exp100']);
    expect(out.code, out.stderr).toBe(0);
    const lines = out.stdout.split('\n');
    expect(lines.slice(0, 8)).toEqual([
      `run:        ${FAILED_RUN}`,
      'status:     unknown (recorded by BioImageIT v1)',
      'tool:       biitfail 1.0.0 (/home/user/bioimageit/tools/biitfail/biitfail.xml)',
      'dataset:    failed',
      'parameters: (none)',
      "input:      i = data:'Population=population1 AND number<6'",
      'matched by: position',
      'outputs:    3 item(s), 3 missing (data file never written or removed)',
    ]);
    expect(out.stdout).not.toMatch(/^(runner|time|user):|digest|no jobs|succeeded/m);
    const rows = lines.slice(9).map((l) => l.replace(/ +/g, ' ').trim());
    expect(lines[8]).toMatch(/^OUTPUT +INPUTS +DATA$/);
    expect(rows.filter((r) => r !== '').sort()).toEqual([1, 3, 5].map((n) => `o_population1_00${n} i=population1_00${n}.tif missing`));
  });

  it('shows the outputs of a v1 run that wrote them as present, in the order of their inputs', async () => {
    const out = await ws.run(['runs', 'show', THRESHOLD_RUN, '-e', 'exp100']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain('outputs:    49 item(s)\n');
    const rows = out.stdout.split('\n').filter((l) => l.startsWith('o_population1_'));
    expect(rows).toHaveLength(49);
    expect(rows.every((r) => r.endsWith(' ok'))).toBe(true);
    const raw = (await ws.items('data')).map((i) => i.name);
    const inputs = rows.map((r) => /i=(\S+)/.exec(r)?.[1] ?? '');
    expect(inputs).toEqual([...inputs].sort((a, b) => raw.indexOf(a) - raw.indexOf(b)));
  });
});

describe('runs show of runs this implementation made', () => {
  let run: RunRecord;
  beforeAll(async () => {
    const out = await ws.run([
      'run',
      'biitcopy',
      '-e',
      'exp100',
      '--input',
      'i=data:Population=population1 AND number<10',
      '-o',
      'copies',
      '-j',
      '3',
      '--json',
    ]);
    expect(out.code, out.stderr).toBe(0);
    run = runJson(out).run;
  });

  it('says which input each job processed and lists its outputs, in input order', async () => {
    const out = await ws.run(['runs', 'show', run.id, '-e', 'exp100']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/^runner: +local on \S+, user tester$/m);
    expect(out.stdout).toContain('outputs:    5 item(s)\n');
    expect(out.stdout).toMatch(/^JOB +STATUS +EXIT +INPUTS +OUTPUTS +STDOUT +STDERR +ERROR$/m);
    const cells = out.stdout
      .split('\n')
      .filter((l) => l.startsWith('job-'))
      .map((r) => r.split(/ +/));
    expect(cells.map((c) => c[0])).toEqual([...run.jobs].sort((a, b) => a.index - b.index).map((j) => j.id));
    for (const [id, status, exit, input, output] of cells) {
      const stem = /^i=(population1_\d{3})\.tif$/.exec(input ?? '')?.[1];
      expect([id, status, exit, stem]).toEqual([id, 'succeeded', '0', expect.any(String)]);
      expect(output).toMatch(new RegExp(`^o_${stem}(\\.tif)?$`));
    }
    const raw = (await ws.items('data')).map((i) => i.name);
    const inputs = cells.map((c) => c[3]?.slice('i='.length) ?? '');
    expect(inputs).toEqual([...inputs].sort((a, b) => raw.indexOf(a) - raw.indexOf(b)));
    expect(inputs).toHaveLength(5);
  });

  it('shows the SLURM job id or the Docker image of each job, and flags an output whose file is gone', async () => {
    const store = await (await ws.kernel()).openExperiment(ws.exp);
    const jobs = [...run.jobs].sort((a, b) => a.index - b.index);
    const slurm: RunRecord = {
      ...run,
      id: 'slurm-run',
      runner: 'slurm',
      jobs: jobs.map((j, k) => ({ ...j, environment: { runner: 'slurm', slurmJobId: `4242_${k}`, arrayJobId: '4242', arrayTaskId: k } })),
    };
    const imageId = `sha256:${'0123456789abcdef'.repeat(4)}`;
    const docker: RunRecord = {
      ...run,
      id: 'docker-run',
      runner: 'docker',
      jobs: jobs.map((j) => ({ ...j, environment: { runner: 'docker', image: 'biit/copy:1.0', imageId, container: `biit-${j.id}` } })),
    };
    await store.saveRun(slurm);
    await store.saveRun(docker);
    const shownSlurm = await ws.run(['runs', 'show', 'slurm-run', '-e', 'exp100']);
    expect(shownSlurm.stdout).toMatch(/^JOB +STATUS +EXIT +INPUTS +OUTPUTS +ENGINE +STDOUT/m);
    for (const [k, job] of jobs.entries()) expect(shownSlurm.stdout).toMatch(new RegExp(`^${job.id} .* slurm 4242_${k}\\b`, 'm'));
    const shownDocker = await ws.run(['runs', 'show', 'docker-run', '-e', 'exp100']);
    expect(shownDocker.stdout).toContain(`image:      biit/copy:1.0 (${imageId})`);
    expect(shownDocker.stdout.split('\n').filter((l) => l.startsWith('job-') && / docker sha256:0123456789ab\b/.test(l))).toHaveLength(5);
    const first = (await ws.items('copies')).find((i) => i.id === jobs[0]?.outputs[0]);
    await unlink(fileURLToPath(first!.dataUri));
    const shown = await ws.run(['runs', 'show', run.id, '-e', 'exp100']);
    expect(shown.stdout).toContain('outputs:    5 item(s), 1 missing (data file never written or removed)');
    expect(shown.stdout).toMatch(new RegExp(`^${jobs[0]?.id} .* ${first!.name} \\(missing\\)`, 'm'));
  });
});
