import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ToolError } from '../errors/area-errors.js';
import type { Runner, RunnerJob, RunnerOptionValue } from '../extension-points/runner.js';
import { RunnerRegistry } from '../registry/registries.js';
import { LocalRunner } from '../runner/local-runner.js';
import { describeRunners, validateRunnerOptions } from './runner-options.js';
import { COPY_TOOL, engineFixture, type EngineFixture } from './test-support/engine-fixture.js';

/** A local runner declaring options, noting what each job and the environment key received. */
function optionedRunner(): { runner: Runner; jobs: RunnerJob[]; keyed: (Readonly<Record<string, RunnerOptionValue>> | undefined)[] } {
  const local = new LocalRunner({ killGraceMs: 500 });
  const jobs: RunnerJob[] = [];
  const keyed: (Readonly<Record<string, RunnerOptionValue>> | undefined)[] = [];
  const runner: Runner = {
    id: 'queue',
    runOptions: {
      partition: { type: 'string', description: 'where jobs go', default: 'batch', pattern: '[A-Za-z0-9_.-]+' },
      cpus: { type: 'integer', description: 'cores per job', minimum: 1 },
      exclusive: { type: 'boolean', description: 'a node of its own', default: false },
      pull: { type: 'string', description: 'when to fetch', enum: ['missing', 'never'], default: 'missing' },
      token: { type: 'string', description: 'a credential', secret: true },
    },
    environmentKey: async (_tool, _signal, options) => {
      keyed.push(options);
      return undefined;
    },
    run: async (job, signal) => {
      jobs.push(job);
      return local.run(job, signal);
    },
  };
  return { runner, jobs, keyed };
}

let f: EngineFixture;
let queue: ReturnType<typeof optionedRunner>;
beforeEach(async () => {
  queue = optionedRunner();
  const runners = new RunnerRegistry();
  runners.register(queue.runner);
  runners.register(new LocalRunner({ killGraceMs: 500 }));
  f = await engineFixture({ runners });
  for (const n of ['1', '2']) await f.addItem(`p_${n}.csv`, `a\n${n}\n`, { n });
});
afterEach(() => f.cleanup());

const failure = async (work: Promise<unknown>): Promise<ToolError> => {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ToolError);
  return error as ToolError;
};

describe('RunEngine: per-run runner options', () => {
  it('hands the typed options to the runner with every job and to its environment key, and records them (secrets masked)', async () => {
    const { record } = await f.engine.run(f.store, {
      tool: f.tool(COPY_TOOL),
      inputs: [{ name: 'i' }],
      outputDataset: 'copies',
      runner: 'queue',
      runnerOptions: { partition: 'gpu', cpus: '4', exclusive: 'true', token: 's3cret' },
    });
    expect(record.status).toBe('succeeded');
    const expected = { partition: 'gpu', cpus: 4, exclusive: true, token: 's3cret' };
    expect(queue.jobs.map((j) => j.runnerOptions)).toEqual([expected, expected]);
    expect(queue.keyed).toEqual([expected]);
    expect(record.runnerOptions).toEqual({ partition: 'gpu', cpus: 4, exclusive: true, token: '***' });
    expect(JSON.stringify(f.store.saveRunCalls)).not.toContain('s3cret');
  });

  it('records no runnerOptions and passes none when the run sets none', async () => {
    const { record } = await f.engine.run(f.store, { tool: f.tool(COPY_TOOL), inputs: [{ name: 'i' }], outputDataset: 'copies', runner: 'queue' });
    expect(record).not.toHaveProperty('runnerOptions');
    expect(queue.jobs.every((j) => j.runnerOptions === undefined)).toBe(true);
  });

  it('refuses an unknown option before anything runs, naming it and the accepted ones', async () => {
    const error = await failure(
      f.engine.run(f.store, { tool: f.tool(COPY_TOOL), inputs: [{ name: 'i' }], outputDataset: 'copies', runner: 'queue', runnerOptions: { qeue: 'x' } }),
    );
    expect(error.code).toBe('BAD_PARAMETER');
    expect(error.message).toBe("runner 'queue' has no option 'qeue' (it accepts: partition, cpus, exclusive, pull, token)");
    expect(error.details).toMatchObject({ runner: 'queue', option: 'qeue' });
    expect(queue.jobs).toEqual([]);
    expect(f.store.saveRunCalls).toEqual([]);
    expect(await f.store.listDatasets()).not.toContainEqual(expect.objectContaining({ name: 'copies' }));
  });

  it('refuses a value of the wrong type naming the option, before anything runs', async () => {
    const run = (runnerOptions: Record<string, unknown>) =>
      f.engine.run(f.store, {
        tool: f.tool(COPY_TOOL),
        inputs: [{ name: 'i' }],
        outputDataset: 'copies',
        runner: 'queue',
        runnerOptions: runnerOptions as Record<string, string>,
      });
    expect((await failure(run({ cpus: 'four' }))).message).toBe(`runner 'queue' option 'cpus' must be an integer, not "four"`);
    expect((await failure(run({ cpus: 2.5 }))).message).toContain("option 'cpus' must be an integer");
    expect((await failure(run({ cpus: 0 }))).message).toContain("option 'cpus' must be at least 1");
    expect((await failure(run({ exclusive: 'maybe' }))).message).toContain("option 'exclusive' must be true or false");
    expect((await failure(run({ partition: 7 }))).message).toContain("option 'partition' must be a string");
    expect((await failure(run({ pull: 'always' }))).message).toContain("option 'pull' must be one of missing, never");
    expect(queue.jobs).toEqual([]);
    expect(f.store.saveRunCalls).toEqual([]);
  });

  it('refuses the options of a runner that declares none (the local runner)', async () => {
    const error = await failure(
      f.engine.run(f.store, {
        tool: f.tool(COPY_TOOL),
        inputs: [{ name: 'i' }],
        outputDataset: 'copies',
        runner: 'local',
        runnerOptions: { partition: 'gpu' },
      }),
    );
    expect(error.message).toBe("runner 'local' has no option 'partition' (it accepts none)");
  });
});

describe('validateRunnerOptions', () => {
  it('refuses text a job script could be made to run: line breaks, control characters, what the pattern excludes', () => {
    const { runner } = optionedRunner();
    for (const value of ['gpu\nrm -rf ~', 'gpu\r', 'a\u0000b', 'gpu; touch /tmp/x', '$(id)', "x' y"]) {
      expect(() => validateRunnerOptions(runner, { partition: value }), value).toThrow(/option 'partition' must/);
    }
    expect(() => validateRunnerOptions(runner, JSON.parse('{"__proto__": "x"}') as Record<string, unknown>)).toThrow("has no option '__proto__'");
    expect(() => validateRunnerOptions(runner, { partition: '' })).toThrow("option 'partition' must not be empty");
  });

  it('keeps the order given and types command-line strings', () => {
    const { runner } = optionedRunner();
    expect(validateRunnerOptions(runner, { exclusive: 'no', cpus: ' 8 ', pull: 'never' })).toEqual({ exclusive: false, cpus: 8, pull: 'never' });
    expect(validateRunnerOptions(runner, undefined)).toEqual({});
  });
});

describe('describeRunners', () => {
  it('lists every runner with its options, and one whose plugin cannot start as unavailable', async () => {
    const runners = new RunnerRegistry();
    runners.register(queue.runner, 'queue-plugin');
    runners.register(new LocalRunner());
    runners.declare('broken', 'broken-plugin', () => Promise.reject(new Error('no daemon here\nmore')));
    const listed = await describeRunners(runners);
    expect(listed.map((r) => [r.id, r.plugin, r.available, Object.keys(r.options)])).toEqual([
      ['broken', 'broken-plugin', false, []],
      ['local', 'core', true, []],
      ['queue', 'queue-plugin', true, ['partition', 'cpus', 'exclusive', 'pull', 'token']],
    ]);
    expect(listed[0]?.reason).toBe('no daemon here');
    expect(listed[2]?.options['partition']).toMatchObject({ type: 'string', default: 'batch' });
  });
});
