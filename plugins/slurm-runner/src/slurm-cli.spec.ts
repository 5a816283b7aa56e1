import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunnerError } from '@bioimageit/core';
import { SlurmCli, slurmCommandEnvironment } from './slurm-cli.js';

/*
 * Parsing of what SLURM's client commands print, against TEST DOUBLES of sbatch, squeue, scancel
 * and sacct (shell scripts printing what the real 22.05 commands print). The real commands
 * on a real cluster are exercised by test/slurm-cluster.spec.ts.
 */
let bin: string;
const fake = async (name: string, body: string): Promise<void> => {
  const file = path.join(bin, name);
  await writeFile(file, `#!/bin/sh\nprintf '%s\\n' "$*" >> "${bin}/${name}.args"\n${body}\n`);
  await chmod(file, 0o755);
};

beforeAll(async () => {
  bin = await mkdtemp(path.join(tmpdir(), 'slurm-cli-doubles-'));
  await fake('sbatch', 'echo "123;cluster-a"');
  await fake('squeue', 'echo "slurm_load_jobs error: Invalid job id specified" >&2; exit 1');
  await fake('scancel', 'echo "scancel: error: Kill job error on job id 5: Job/step already completing or completed" >&2; exit 1');
  await fake('sacct', 'printf "5|FAILED|3:0\\n5.batch|FAILED|3:0\\n"');
});
afterAll(() => rm(bin, { recursive: true, force: true }));

describe('SlurmCli', () => {
  it('gives SLURM commands only SLURM-related variables (sbatch ships its environment to the controller)', () => {
    const env = slurmCommandEnvironment({
      PATH: '/bin',
      HOME: '/h',
      SLURM_CONF: '/c',
      SBATCH_PARTITION: 'p',
      LC_ALL: 'C',
      AWS_SECRET_ACCESS_KEY: 'x',
      OMERO_PASSWORD: 'y',
      NODE_OPTIONS: '--z',
    });
    expect(env).toEqual({ PATH: '/bin', HOME: '/h', SLURM_CONF: '/c', SBATCH_PARTITION: 'p', LC_ALL: 'C' });
  });

  it('reads the job id of --parsable output and passes options as separate arguments', async () => {
    const cli = new SlurmCli({ binDir: bin });
    expect(await cli.submit('/w/job script.sh', ['--array=0-3', '--chdir=/w x'])).toBe('123');
    expect(await readFile(path.join(bin, 'sbatch.args'), 'utf8')).toBe('--parsable --array=0-3 --chdir=/w x /w/job script.sh\n');
  });

  it('treats jobs the controller forgot as absent and finished jobs as cancelled', async () => {
    const cli = new SlurmCli({ binDir: bin });
    expect(await cli.queue(['4', '5'])).toEqual([]);
    expect(await readFile(path.join(bin, 'squeue.args'), 'utf8')).toMatch(/^--noheader --array --states=all --jobs=4,5 --Format=JobArrayID:\|,/);
    await expect(cli.cancel(['5'])).resolves.toBeUndefined();
    expect(await cli.queue([])).toEqual([]);
  });

  it('reads accounting records', async () => {
    const cli = new SlurmCli({ binDir: bin });
    expect(await cli.accounting('5')).toEqual({ state: 'FAILED', exit: { exitCode: 3 } });
    expect(await cli.accounting('6')).toBeUndefined();
  });

  it('says which command is missing and where it looked', async () => {
    const error = await new SlurmCli({ binDir: path.join(bin, 'nowhere') }).submit('/s', []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunnerError);
    expect((error as RunnerError).message).toBe(`sbatch was not found in ${path.join(bin, 'nowhere')}`);
    const onPath = await new SlurmCli({}, { PATH: bin + '-none' }).queue(['1']).catch((e: unknown) => e);
    expect((onPath as RunnerError).message).toMatch(/squeue was not found on PATH \(install slurm-client, or set BIOIMAGEIT_SLURM_BIN_DIR\)/);
  });
});
