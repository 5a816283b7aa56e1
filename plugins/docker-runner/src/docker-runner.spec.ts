import { spawnSync } from 'node:child_process';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunnerError } from '@bioimageit/core';
import { skipWithout } from '@bioimageit/core/testing';
import { sweepOrphanContainers } from './container-sweeper.js';
import { DockerRunner } from './docker-runner.js';
import type { PullProgress } from './pull-progress.js';
import { busyboxRootfsTar } from './test-support/busybox-rootfs.js';
import { jobScratch, testTool } from './test-support/test-jobs.js';
import { startTestRegistry } from './test-support/test-registry.js';
import { ENGINES, engineMissing, startTestEngine, type TestEngine } from './test-support/test-engine.js';

const IMAGE = 'bioimageit-test/busybox:runner';
const never = new AbortController().signal;

async function rejection(promise: Promise<unknown>): Promise<RunnerError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RunnerError);
  return error as RunnerError;
}

for (const kind of ENGINES) {
  describe.skipIf(skipWithout(kind, engineMissing(kind), import.meta.url))(`DockerRunner on a private ${kind} engine`, () => {
    let engine: TestEngine;
    let scratch: Awaited<ReturnType<typeof jobScratch>>;
    let runner: DockerRunner;
    let imageId: string;

    beforeAll(async () => {
      engine = await startTestEngine(kind);
      await engine.importBusybox(IMAGE);
      imageId = (await engine.client.json<{ Id: string }>('GET', `/images/${IMAGE}/json`)).Id;
      scratch = await jobScratch();
      runner = new DockerRunner(engine.client, { pullPolicy: 'never', onPullProgress: null });
    });

    afterAll(async () => {
      await scratch?.cleanup();
      await engine?.stop();
    });

    const leftovers = async (): Promise<string[]> => (await engine.runnerContainers()).map((c) => c.Names.join(','));

    it("runs in the tool's image and records the image id, container and daemon in the environment", async () => {
      const job = await scratch.job(['sh', '-c', 'echo made > out.txt'], { tool: testTool(IMAGE), runId: 'run-1' });
      const result = await runner.run(job, never);
      expect(result.exitCode).toBe(0);
      expect(await readFile(path.join(job.cwd, 'out.txt'), 'utf8')).toBe('made\n');
      expect(result.environment).toMatchObject({ runner: 'docker', image: IMAGE, imageId, network: 'none', dockerApiVersion: engine.client.daemon.apiVersion });
      expect(result.environment['dockerEngine']).toBe(kind === 'docker' ? 'Docker Engine' : 'Podman Engine');
      // Podman lists a digest even for an imported image (pinned in podman-gaps.spec.ts).
      if (kind === 'docker') expect(result.environment['imageDigests']).toEqual([]);
      expect(String(result.environment['container'])).toMatch(/^bioimageit-job-\d+-[0-9a-f]{10}$/);
    });

    it('writes outputs owned by the invoking user', async () => {
      const job = await scratch.job(['sh', '-c', 'id -u > uid.txt; id -g >> uid.txt'], { tool: testTool(IMAGE) });
      expect((await runner.run(job, never)).exitCode).toBe(0);
      const info = await stat(path.join(job.cwd, 'uid.txt'));
      expect([info.uid, info.gid]).toEqual([process.getuid?.(), process.getgid?.()]);
      expect(await readFile(path.join(job.cwd, 'uid.txt'), 'utf8')).toBe(`${process.getuid?.()}\n${process.getgid?.()}\n`);
    });

    it('runs as a configured uid:gid, whose outputs then belong to that user', async () => {
      const other = new DockerRunner(engine.client, { pullPolicy: 'never', onPullProgress: null, user: '4321:4322' });
      const job = await scratch.job(['sh', '-c', 'id -u > uid.txt; echo "$TMPDIR" > tmp.txt; touch "$TMPDIR/x"'], { tool: testTool(IMAGE) });
      await chmod(job.cwd, 0o777);
      expect((await other.run(job, never)).exitCode).toBe(0);
      const info = await stat(path.join(job.cwd, 'uid.txt'));
      expect([info.uid, info.gid]).toEqual([4321, 4322]);
      expect(await readFile(path.join(job.cwd, 'uid.txt'), 'utf8')).toBe('4321\n');
      expect(await readFile(path.join(job.cwd, 'tmp.txt'), 'utf8')).toMatch(/\.bioimageit-tmp-/);
    });

    it('mounts each input read-only at its host path and hides its neighbours', async () => {
      const data = path.join(scratch.dir, 'data');
      await mkdir(data, { recursive: true });
      const input = path.join(data, 'in put.txt');
      await writeFile(input, 'pixels');
      await writeFile(path.join(data, 'neighbour.txt'), 'secret');
      const script = 'cat "$1" > copy.txt; if echo x >> "$1"; then echo writable; else echo read-only; fi; cat "$2" 2>/dev/null || echo hidden';
      const job = await scratch.job(['sh', '-c', script, 'sh', input, path.join(data, 'neighbour.txt')], { tool: testTool(IMAGE), inputPaths: [input] });
      expect((await runner.run(job, never)).exitCode).toBe(0);
      expect(await readFile(path.join(job.cwd, 'copy.txt'), 'utf8')).toBe('pixels');
      expect(await readFile(job.stdoutPath, 'utf8')).toBe('read-only\nhidden\n');
      expect(await readFile(input, 'utf8')).toBe('pixels');
    });

    it("mounts the tool's folder read-only for {tool.dir} scripts", async () => {
      const toolDir = path.join(scratch.dir, 'tool');
      await mkdir(toolDir, { recursive: true });
      await writeFile(path.join(toolDir, 'script.sh'), 'echo "script ran with $1" > "$2"\n');
      const tool = testTool(IMAGE, {}, {}, path.join(toolDir, 'demo.tool.json'));
      const job = await scratch.job(['sh', path.join(toolDir, 'script.sh'), 'arg', 'result.txt'], { tool });
      expect((await runner.run(job, never)).exitCode).toBe(0);
      expect(await readFile(path.join(job.cwd, 'result.txt'), 'utf8')).toBe('script ran with arg\n');
    });

    it('gives the container no network unless the tool asks for one', async () => {
      const interfaces = "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort | tr '\\n' ' '";
      const closed = await scratch.job(['sh', '-c', interfaces], { tool: testTool(IMAGE) });
      await runner.run(closed, never);
      expect(await readFile(closed.stdoutPath, 'utf8')).toBe('lo ');
      const open = new DockerRunner(engine.client, { pullPolicy: 'never', onPullProgress: null, networkMode: 'host' });
      const asking = await scratch.job(['sh', '-c', interfaces], { tool: testTool(IMAGE, {}, { network: true }) });
      const result = await open.run(asking, never);
      expect(result.environment['network']).toBe('host');
      expect((await readFile(asking.stdoutPath, 'utf8')).trim().split(' ').length).toBeGreaterThan(1);
    });

    it('passes passEnv variables, streams output to onOutput and binds a TMPDIR kept outside the job folder', async () => {
      process.env['BIIT_DOCKER_PASSED'] = 'from host';
      try {
        const tmp = path.join(scratch.dir, 'shared-tmp');
        const chunks: string[] = [];
        const job = await scratch.job(['sh', '-c', 'echo "$BIIT_DOCKER_PASSED"; echo 50% >&2; echo kept > "$TMPDIR/kept.txt"'], {
          tool: testTool(IMAGE),
          passEnv: ['BIIT_DOCKER_PASSED', 'BIIT_DOCKER_UNSET'],
          tmpDir: tmp,
          onOutput: (stream, chunk) => chunks.push(`${stream}:${Buffer.from(chunk).toString()}`),
        });
        expect((await runner.run(job, never)).exitCode).toBe(0);
        expect(await readFile(job.stdoutPath, 'utf8')).toBe('from host\n');
        expect(chunks.sort()).toEqual(['stderr:50%\n', 'stdout:from host\n']);
        expect(await readFile(path.join(tmp, 'kept.txt'), 'utf8')).toBe('kept\n');
      } finally {
        delete process.env['BIIT_DOCKER_PASSED'];
      }
    });

    it('forbids privilege gain through setuid files inside the container', async () => {
      const job = await scratch.job(['grep', 'NoNewPrivs', '/proc/self/status'], { tool: testTool(IMAGE) });
      expect((await runner.run(job, never)).exitCode).toBe(0);
      expect(await readFile(job.stdoutPath, 'utf8')).toBe('NoNewPrivs:\t1\n');
    });

    it("applies the tool's memory and CPU limits", async () => {
      const read =
        'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max; cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us 2>/dev/null || cut -d" " -f1 /sys/fs/cgroup/cpu.max';
      const job = await scratch.job(['sh', '-c', read], { tool: testTool(IMAGE, { memoryMb: 48, cpus: 0.5 }) });
      const result = await runner.run(job, never);
      expect(await readFile(job.stdoutPath, 'utf8')).toBe(`${48 * 1024 * 1024}\n50000\n`);
      expect(result.environment).toMatchObject({ memoryBytes: 48 * 1024 * 1024, cpus: 0.5 });
    });

    // Podman never reports OOMKilled, so the job ends with plain exit code 137 there (pinned in podman-gaps.spec.ts).
    it.skipIf(kind === 'podman')('kills a greedy tool at its memory limit and fails the job with the reason', async () => {
      const job = await scratch.job(['sh', '-c', 'echo start; tail /dev/zero'], { tool: testTool(IMAGE, { memoryMb: 32 }) });
      const error = await rejection(runner.run(job, never));
      expect(error.code).toBe('NON_ZERO_EXIT');
      expect(error.message).toContain(job.id);
      expect(error.message).toContain('out of memory');
      expect(error.message).toContain('32 MB');
      expect(error.details).toMatchObject({ exitCode: 137, oomKilled: true, environment: { runner: 'docker', imageId } });
      expect(await readFile(job.stderrPath, 'utf8')).toContain('ran out of memory');
      expect(await readFile(job.stdoutPath, 'utf8')).toBe('start\n');
      expect(await leftovers()).toEqual([]);
    });

    it('names the job, the command and the image when the command is not in the image', async () => {
      const job = await scratch.job(['no-such-tool', '--help'], { tool: testTool(IMAGE) });
      const error = await rejection(runner.run(job, never));
      expect(error.code).toBe('UNAVAILABLE');
      expect(error.message).toContain(job.id);
      expect(error.message).toContain('no-such-tool');
      expect(error.message).toContain(IMAGE);
      expect(await leftovers()).toEqual([]);
    });

    it('fails clearly, without a container, when the image is absent and pulling is off', async () => {
      const job = await scratch.job(['true'], { tool: testTool('bioimageit-test/absent:1') });
      const error = await rejection(runner.run(job, never));
      expect(error.code).toBe('UNAVAILABLE');
      expect(error.message).toContain("'bioimageit-test/absent:1' is not on the Docker daemon");
      expect(error.message).toContain(job.id);
      expect(await leftovers()).toEqual([]);
    });

    it('fails clearly when the registry of an absent image cannot be reached', async () => {
      const pulling = new DockerRunner(engine.client, { onPullProgress: null });
      const job = await scratch.job(['true'], { tool: testTool('127.0.0.1:9/nowhere/tool:1') });
      const error = await rejection(pulling.run(job, never));
      expect(error.code).toBe('UNAVAILABLE');
      expect(error.message).toContain("cannot pull image '127.0.0.1:9/nowhere/tool:1'");
      expect(error.message).toMatch(/connection refused|connect/i);
    });

    it('recovers when the image disappears between jobs: names it, then checks again', async () => {
      const gone = 'bioimageit-test/busybox:vanishing';
      await engine.importBusybox(gone);
      const first = await runner.run(await scratch.job(['true'], { tool: testTool(gone) }), never);
      expect(first.exitCode).toBe(0);
      await engine.client.json('DELETE', `/images/${encodeURIComponent(gone)}`, { query: { force: true } });
      const error = await rejection(runner.run(await scratch.job(['true'], { tool: testTool(gone) }), never));
      expect(error.code).toBe('UNAVAILABLE');
      expect(error.message).toContain(gone);
      await engine.importBusybox(gone);
      const again = await runner.run(await scratch.job(['true'], { tool: testTool(gone) }), never);
      expect(again.exitCode).toBe(0);
      expect(again.environment['imageId']).not.toBe(first.environment['imageId']);
    });

    it('rejects an invalid image reference before asking the daemon', async () => {
      const job = await scratch.job(['true'], { tool: testTool('Not A/Reference') });
      const error = await rejection(runner.run(job, never));
      expect(error.message).toContain("'Not A/Reference' is not a valid Docker image reference");
    });

    it('pulls an absent image from a registry with progress and records its registry digest', async () => {
      const tar = await busyboxRootfsTar(scratch.dir);
      const registry = await startTestRegistry('tools/busybox', '1.0', tar);
      try {
        const reports: PullProgress[] = [];
        const pulling = new DockerRunner(engine.client, { onPullProgress: (p) => reports.push(p) });
        const image = `${registry.host}/tools/busybox:1.0`;
        const jobs = await Promise.all([0, 1].map(() => scratch.job(['sh', '-c', 'echo pulled'], { tool: testTool(image) })));
        const results = await Promise.all(jobs.map((j) => pulling.run(j, never)));
        expect(results.map((r) => r.exitCode)).toEqual([0, 0]);
        expect(results[0]?.environment).toMatchObject({
          image,
          imagePulled: true,
          imageDigests: [`${registry.host}/tools/busybox@${registry.manifestDigest}`],
        });
        expect(reports.at(-1)).toMatchObject({ image, fraction: 1, done: true });
        // Podman reports the image configuration as a second layer (pinned in podman-gaps.spec.ts).
        if (kind === 'docker') expect(reports.at(-1)).toMatchObject({ layers: 1, layersDone: 1 });
        expect(reports.filter((r) => r.done)).toHaveLength(1); // both jobs shared one pull
        expect(registry.requests.filter((r) => r.includes('/manifests/')).length).toBeGreaterThan(0);

        // Pinned by digest, on a daemon that lost the image: pulled by digest, recorded the same.
        await engine.client.json('DELETE', `/images/${encodeURIComponent(image)}`, { query: { force: true } });
        const pinned = `${registry.host}/tools/busybox@${registry.manifestDigest}`;
        const byDigest = await pulling.run(await scratch.job(['true'], { tool: testTool(pinned) }), never);
        expect(byDigest.environment).toMatchObject({ image: pinned, imagePulled: true, imageDigests: [pinned] });
        expect(registry.requests).toContain(`GET /v2/tools/busybox/manifests/${registry.manifestDigest}`);

        // An unknown tag: the daemon's reason, with the image named.
        const unknown = `${registry.host}/tools/busybox:9.9`;
        const error = await rejection(pulling.run(await scratch.job(['true'], { tool: testTool(unknown) }), never));
        expect(error.message).toContain(`cannot pull image '${unknown}'`);
        expect(error.message).toMatch(/not found|unknown/i);
      } finally {
        await registry.close();
      }
    });

    it('gives concurrent jobs unique container names and removes every container', async () => {
      const jobs = await Promise.all([0, 1, 2, 3, 4].map((i) => scratch.job(['sh', '-c', `exit ${i}`], { id: 'same-id', tool: testTool(IMAGE) })));
      const results = await Promise.all(jobs.map((j) => runner.run(j, never)));
      expect(results.map((r) => r.exitCode)).toEqual([0, 1, 2, 3, 4]);
      expect(new Set(results.map((r) => r.environment['container'])).size).toBe(5);
      expect(await leftovers()).toEqual([]);
    });

    it('leaves no container behind when a running job is cancelled', async () => {
      const job = await scratch.job(['sh', '-c', 'echo started > started.txt; sleep 30'], { tool: testTool(IMAGE) });
      const controller = new AbortController();
      const pending = runner.run(job, controller.signal);
      const started = path.join(job.cwd, 'started.txt');
      const running = async (): Promise<boolean> => (await engine.runnerContainers()).some((c) => c.State === 'running');
      // The tool may write before the daemon marks the container running: wait for both.
      for (
        let i = 0;
        i < 500 &&
        !(
          (await stat(started).then(
            () => true,
            () => false,
          )) && (await running())
        );
        i++
      )
        await new Promise((r) => setTimeout(r, 20));
      const states = (await engine.runnerContainers()).map((c) => c.State);
      controller.abort();
      expect(states).toEqual(['running']);
      expect((await rejection(pending)).code).toBe('CANCELLED');
      expect(await leftovers()).toEqual([]);
    });

    it('cancels at any point of a job (image check, create, attach, start, run) within seconds, leaving no container', async () => {
      for (const delayMs of [0, 2, 5, 10, 20, 40, 80, 160, 320]) {
        const job = await scratch.job(['sleep', '60'], { tool: testTool(IMAGE) });
        const controller = new AbortController();
        const started = Date.now();
        const pending = runner.run(job, controller.signal);
        setTimeout(() => controller.abort(), delayMs);
        const error = await rejection(pending);
        expect(error.code, `abort after ${delayMs} ms`).toBe('CANCELLED');
        expect(Date.now() - started, `abort after ${delayMs} ms`).toBeLessThan(10_000);
        expect(await leftovers(), `abort after ${delayMs} ms`).toEqual([]);
      }
    });

    it('sweeps containers whose owning process on this host died, and only those', async () => {
      const dead = spawnSync('true').pid as number;
      const create = async (owner: string): Promise<string> => {
        const body = {
          Image: IMAGE,
          Entrypoint: ['sleep', '60'],
          Labels: { 'org.bioimageit.runner': 'docker', 'org.bioimageit.owner': owner },
          HostConfig: { NetworkMode: 'none' },
        };
        const { Id } = await engine.client.json<{ Id: string }>('POST', '/containers/create', {
          query: { name: `sweep-${owner.replace(/[^a-z0-9]/gi, '-')}` },
          body,
        });
        await engine.client.json('POST', `/containers/${Id}/start`);
        return Id;
      };
      const orphan = await create(`${hostname()}:${dead}`);
      const mine = await create(`${hostname()}:${process.pid}`);
      const elsewhere = await create(`another-host:${dead}`);
      const removed = await sweepOrphanContainers(engine.client);
      expect(removed).toEqual([`sweep-${hostname().replace(/[^a-z0-9]/gi, '-')}-${dead}`]);
      const left = (await engine.runnerContainers()).map((c) => c.Id);
      expect(left).not.toContain(orphan);
      expect(left.sort()).toEqual([mine, elsewhere].sort());
      for (const id of [mine, elsewhere]) await engine.client.json('DELETE', `/containers/${id}`, { query: { force: true } });
    });

    it('names a missing input file, and unwritable log files, before anything runs', async () => {
      const missing = path.join(scratch.dir, 'gone', 'input.tif');
      const job = await scratch.job(['true'], { tool: testTool(IMAGE), inputPaths: [missing] });
      const error = await rejection(runner.run(job, never));
      expect(error.code).toBe('UNAVAILABLE');
      expect(error.message).toContain(job.id);
      expect(error.message).toContain(missing);
      // Nothing was created on the host in its place (Podman would make an empty directory there).
      await expect(stat(path.dirname(missing))).rejects.toThrow(/ENOENT/);
      const noLogs = await scratch.job(['true'], { tool: testTool(IMAGE), stdoutPath: path.join(scratch.dir, 'no-such-dir', 'out.log') });
      const logError = await rejection(runner.run(noLogs, never));
      expect(logError.message).toContain(`job '${noLogs.id}': cannot open its log files`);
      expect(logError.message).toContain('no-such-dir');
      expect(await leftovers()).toEqual([]);
    });
  });
}
