import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ContainerModule } from 'inversify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createKernel,
  loadToolManifest,
  LocalRunner,
  RunnerContribution,
  type InlinePlugin,
  type Kernel,
  type Runner,
  type RunnerRegistrar,
  type ToolManifest,
} from '@bioimageit/core';
import { KNOWN_PLUGINS } from '@bioimageit/cli';
import { tempDir } from './cli-harness.js';
import { countingCopyTool, runWorkspace, type RunWorkspace } from './run-harness.js';

/**
 * A runner plugin core has never heard of: its manifest says its runner satisfies the tool
 * requirement `apptainer` (which no bundled runner knows) and how its capability is probed. The
 * runner here runs the job on the host and records that it did.
 */
function apptainerPlugin(ran: string[], probe: 'present' | 'absent' = 'present'): InlinePlugin {
  const local = new LocalRunner();
  const runner: Runner = {
    id: 'apptainer',
    async run(job, signal) {
      ran.push(job.id);
      const result = await local.run(job, signal);
      return { ...result, environment: { ...result.environment, runner: 'apptainer', image: 'lab/count.sif' } };
    },
  };
  const module = new ContainerModule(({ bind }) => {
    bind(RunnerContribution).toConstantValue({ registerRunners: (r: RunnerRegistrar) => r.register(runner) });
  });
  const manifest = {
    id: 'apptainer-runner',
    engines: { core: '^0.1.0' },
    module: './module',
    contributes: { runners: [{ id: 'apptainer', satisfies: ['apptainer'], priority: 5 }] },
    requires: ['apptainer'],
    probes: {
      // `sh` is on every PATH these tests run with; `no-such-apptainer` on none.
      apptainer: { anyOf: [{ onPath: probe === 'present' ? 'sh' : 'no-such-apptainer' }], reason: 'apptainer is not on PATH', fix: 'install apptainer' },
    },
  };
  return { manifest, module };
}

/**
 * The counting copy tool requiring an Apptainer image, loaded from its tool.json file: the tool
 * manifest schema describes `docker`, `conda` and `native`, and accepts any other lower-case
 * requirement key as an object for the runner plugin that declares it satisfies the key.
 */
async function apptainerTool(folder: string): Promise<ToolManifest> {
  const file = join(folder, 'count.tool.json');
  const manifest = {
    name: 'count',
    version: '1.0.0',
    description: 'counts',
    ...countingCopyTool('test.apptainer'),
    requirements: { apptainer: { image: 'lab/count.sif' } },
  };
  await writeFile(file, JSON.stringify(manifest, null, 2));
  return loadToolManifest(file);
}

let ws: RunWorkspace;
let toolDir: Awaited<ReturnType<typeof tempDir>>;
let tool: ToolManifest;
const kernels: Kernel[] = [];
const kernelWith = async (inlinePlugins: InlinePlugin[]) => {
  const kernel = await createKernel({ workspace: ws.path, env: { PATH: process.env['PATH'] ?? '' }, inlinePlugins, knownPlugins: KNOWN_PLUGINS });
  kernels.push(kernel);
  return kernel;
};
const request = (output: string) => ({ tool, inputs: [{ name: 'i', dataset: 'data', query: 'name=population1_001' }], outputDataset: output });

beforeAll(async () => {
  ws = await runWorkspace('bioimageit-third-party-runner-');
  toolDir = await tempDir('bioimageit-apptainer-tool-');
  tool = await apptainerTool(toolDir.path);
});
afterAll(async () => {
  for (const kernel of kernels) await kernel.dispose();
  await ws.cleanup();
  await toolDir.cleanup();
});

describe('a third-party runner chosen from its manifest, with no edit to core', () => {
  it('loads a tool file requiring `apptainer` (an open requirement key) with the requirement as written', () => {
    expect(tool.requirements).toEqual({ apptainer: { image: 'lab/count.sif' } });
    expect(tool.source).toBe(join(toolDir.path, 'count.tool.json'));
  });

  it('runs a tool requiring `apptainer` on the plugin that declares it satisfies `apptainer`', async () => {
    const ran: string[] = [];
    const kernel = await kernelWith([apptainerPlugin(ran)]);
    const outcome = await kernel.runTool(await kernel.openExperiment(ws.exp), request('through-apptainer'));
    expect(outcome.warnings).toEqual([]);
    expect(outcome.record.runner).toBe('apptainer');
    expect(outcome.record.status).toBe('succeeded');
    expect(ran).toHaveLength(1);
    expect(await ws.items('through-apptainer')).toHaveLength(1);
  });

  it('falls back to the local runner with a warning when the plugin is absent', async () => {
    const kernel = await kernelWith([]);
    const outcome = await kernel.runTool(await kernel.openExperiment(ws.exp), request('without-apptainer'));
    expect(outcome.record.runner).toBe('local');
    expect(outcome.record.status).toBe('succeeded');
    expect(outcome.warnings).toContain(
      "tool 'test.apptainer' declares requirement 'apptainer' (image 'lab/count.sif'), but no configured plugin contributes a runner that satisfies 'apptainer' (add one to \"plugins\"): it runs on this host with the programs on PATH (pass --runner to choose)",
    );
  });

  it("falls back with the probe's reason when the plugin's capability is missing", async () => {
    const ran: string[] = [];
    const kernel = await kernelWith([apptainerPlugin(ran, 'absent')]);
    expect(kernel.plugins().find((p) => p.id === 'apptainer-runner')).toMatchObject({
      state: 'unavailable',
      reason: 'requires apptainer: apptainer is not on PATH (install apptainer)',
    });
    const outcome = await kernel.runTool(await kernel.openExperiment(ws.exp), request('apptainer-missing'));
    expect(outcome.record.runner).toBe('local');
    expect(ran).toEqual([]);
    expect(outcome.warnings.join('\n')).toContain(
      "but the 'apptainer' runner cannot start: plugin 'apptainer-runner' is unavailable: requires apptainer: apptainer is not on PATH (install apptainer)",
    );
  });
});
