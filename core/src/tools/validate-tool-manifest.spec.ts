import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadToolManifest } from './load-tool-manifest.js';
import { TOOL_MANIFEST_SCHEMA, writeToolManifestSchema } from './tool-manifest-schema.js';
import { TOOL_INPUT_FIELDS, TOOL_OUTPUT_FIELDS } from './validate-tool-io.js';
import { checkToolManifest, TOOL_MANIFEST_FIELDS, validateToolManifest } from './validate-tool-manifest.js';

const valid = {
  $schema: '../schemas/tool-manifest.schema.json',
  id: 'gpu-decon.deconvolve',
  name: 'Deconvolve',
  version: '0.3.1',
  description: 'Richardson-Lucy on the GPU',
  categories: ['Deconvolution'],
  inputs: [
    { name: 'i', type: 'data', format: 'imagetiff', label: 'Image' },
    { name: 'iterations', type: 'int', default: 20, min: 1, max: 500 },
    { name: 'method', type: 'choice', default: 'rl', choices: [{ value: 'rl', label: 'Richardson-Lucy' }] },
  ],
  outputs: [{ name: 'o', format: 'imagetiff', template: '{output}_{input.stem}_{index}' }],
  command: { argv: ['{tool.dir}/decon', '{inputs.i}', '{outputs.o}', '-n', '{params.iterations}'] },
  requirements: { docker: { image: 'ghcr.io/x/decon:1' }, conda: { packages: ['cupy'], channels: ['conda-forge'] }, native: { executables: ['nvidia-smi'] } },
  resources: { cpus: 2, memoryMb: 4096, gpus: 1, timeoutS: 600 },
  type: 'map',
  tests: [{ params: { iterations: '5' }, inputs: { i: 'in.tif' }, outputs: { o: { file: 'out.tif', compare: 'sim_content' } } }],
};

const paths = (raw: unknown): string[] => checkToolManifest(raw).map((p) => `${p.path}: ${p.message}`);

describe('checkToolManifest', () => {
  it('accepts a complete manifest and fills defaults for a minimal one', () => {
    expect(paths(valid)).toEqual([]);
    expect(validateToolManifest({ id: 'a', name: 'A', version: '1', command: { argv: ['true'] } }, 'f')).toEqual({
      id: 'a',
      name: 'A',
      version: '1',
      description: '',
      categories: [],
      inputs: [],
      outputs: [],
      command: { argv: ['true'] },
      requirements: {},
      resources: {},
      type: 'map',
      tests: [],
    });
  });

  it('reports each problem with its JSON path', () => {
    const raw = {
      ...valid,
      id: 'Gpu Decon',
      version: 'latest',
      extra: 1,
      inputs: [
        valid.inputs[0],
        { name: 'iterations', type: 'int', default: 2.5, min: 5, max: 1 },
        { name: 'x', type: 'matrix' },
        {
          name: 'method',
          type: 'choice',
          default: 'max',
          choices: [
            { value: 'a', label: 'A' },
            { value: 'a', label: 'B' },
          ],
        },
        { name: 'f', type: 'float', format: 'imagetiff', choices: [] },
        'oops',
      ],
      outputs: [{ name: 'i', template: '{output}/{stem}' }],
      command: { argv: ['run', '{inputs.missing}', '{params.i}', '{input.i}', 3] },
      requirements: { docker: {}, conda: { packages: 'numpy' } },
      resources: { cpus: 0, gpus: 1.5 },
      type: 'batch',
      tests: [{ params: { nope: 1 }, outputs: { o: { compare: 'diff' } } }],
    };
    expect(paths(raw)).toEqual([
      'extra: unknown field (allowed: $schema, id, name, version, description, categories, inputs, outputs, command, requirements, resources, type, tests, help, owner, homepage, authors, license, cite, facts, source, digest)',
      'id: expected a lower-case id such as \'plugin.tool\', got "Gpu Decon"',
      'version: expected a version such as \'1.0.0\', got "latest"',
      'inputs[1].min: min 5 is greater than max 1',
      'inputs[1].default: expected an integer, got 2.5',
      'inputs[2].type: expected one of data, int, float, string, bool, choice, got "matrix"',
      "inputs[3].choices[1].value: duplicate choice 'a'",
      'inputs[3].default: expected one of a, got "max"',
      "inputs[4].format: only data inputs have 'format'",
      "inputs[4].choices: only choice inputs have 'choices'",
      'inputs[5]: expected an object, got "oops"',
      'outputs[0].format: is required',
      'outputs[0].template: unknown field {stem} (allowed: {output}, {input.stem}, {input.name}, {index})',
      'outputs[0].template: a file-name template cannot contain a path separator',
      "outputs[0].name: duplicate name 'i' (input and output names must be unique)",
      'command.argv[1]: {inputs.missing} names no data input (data inputs: i)',
      'command.argv[2]: {params.i} names no parameter (parameters: iterations, method, f)',
      'command.argv[3]: {input.i} is not a placeholder (use {inputs.NAME}, {outputs.NAME}, {params.NAME}, {env.NAME} or {tool.dir})',
      'command.argv[4]: expected a string, got 3',
      'requirements.docker.image: is required',
      'requirements.conda.packages: expected an array, got "numpy"',
      'resources.cpus: expected a number > 0, got 0',
      'resources.gpus: expected an integer, got 1.5',
      'type: expected one of map, reduce, got "batch"',
      'tests[0].params.nope: names no parameter',
      'tests[0].params.nope: expected a string, got 1',
      'tests[0].outputs.o: names no output',
      'tests[0].outputs.o.compare: expected one of same_size, sim_content, sim_size, exists, got "diff"',
    ]);
  });

  it('accepts other lower-case requirement keys as objects (a runner plugin declares it satisfies them), checking only their shape', () => {
    const requirements = { ...valid.requirements, apptainer: { image: 'lab/decon.sif' }, 'k8s-job': {} };
    expect(paths({ ...valid, requirements })).toEqual([]);
    expect(validateToolManifest({ ...valid, requirements }, 't.tool.json').requirements).toEqual(requirements);
    expect(paths({ ...valid, requirements: { apptainer: 'lab/decon.sif', Singularity: {}, 'two words': {} } })).toEqual([
      'requirements.apptainer: expected an object, got "lab/decon.sif"',
      'requirements.Singularity: is not a requirement key (lower-case letters, digits and -: docker, conda, native, apptainer...)',
      'requirements["two words"]: is not a requirement key (lower-case letters, digits and -: docker, conda, native, apptainer...)',
    ]);
  });

  it('reads authors, licence, citations and facts, and names the bad ones', () => {
    const about = {
      authors: ['Ada Lovelace'],
      license: 'MIT',
      cite: [{ text: 'A paper', doi: '10.1000/xyz' }],
      facts: { 'model.id': 'affable-shark', runtime: 'onnxruntime-node' },
    };
    expect(paths({ ...valid, ...about })).toEqual([]);
    expect(validateToolManifest({ ...valid, ...about }, 'f')).toMatchObject(about);
    expect(paths({ ...valid, authors: 'Ada', cite: [{ doi: 'x' }, 'y'], facts: { n: 1 } })).toEqual([
      'authors: expected an array, got "Ada"',
      'cite[0].text: is required',
      'cite[1]: expected an object, got "y"',
      'facts.n: expected a string, got 1',
    ]);
  });

  it('throws BAD_MANIFEST naming the file and the paths', () => {
    expect(() => validateToolManifest({ ...valid, inputs: [{ name: 'i', type: 'image' }] }, '/t/x.tool.json')).toThrow(
      expect.objectContaining({
        code: 'BAD_MANIFEST',
        message: expect.stringMatching(/^\/t\/x\.tool\.json: invalid tool manifest: inputs\[0\]\.type: expected one of data, int/),
        details: expect.objectContaining({ file: '/t/x.tool.json' }),
      }),
    );
    expect(paths([])).toEqual(['(root): expected an object, got an array']);
    expect(paths({})).toEqual(['id: is required', 'name: is required', 'version: is required', 'command: is required (an object with an argv array)']);
  });
});

describe('TOOL_MANIFEST_SCHEMA', () => {
  it('is a draft 2020-12 object schema with a property for every manifest, input and output field', () => {
    const schema = TOOL_MANIFEST_SCHEMA;
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.type).toBe('object');
    expect(Object.keys(schema.properties).sort()).toEqual(['$schema', ...TOOL_MANIFEST_FIELDS].sort());
    expect(Object.keys(schema.$defs.input.properties).sort()).toEqual([...TOOL_INPUT_FIELDS].sort());
    expect(Object.keys(schema.$defs.output.properties).sort()).toEqual([...TOOL_OUTPUT_FIELDS].sort());
    for (const key of schema.required) expect(TOOL_MANIFEST_FIELDS).toContain(key);
    const refs = JSON.stringify(schema).match(/"\$ref":"#\/\$defs\/(\w+)"/g) ?? [];
    for (const ref of refs) expect(Object.keys(schema.$defs)).toContain(/(\w+)"$/.exec(ref)?.[1]);
    for (const pattern of JSON.stringify(schema).match(/"pattern":"(?:[^"\\]|\\.)*"/g) ?? []) {
      expect(() => new RegExp(JSON.parse(`{${pattern}}`).pattern as string)).not.toThrow();
    }
  });

  describe('files', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'biit-schema-'));
    });
    afterAll(async () => rm(dir, { recursive: true, force: true }));

    it('writeToolManifestSchema publishes it as JSON', async () => {
      const path = join(dir, 'schemas/tool-manifest.schema.json');
      await writeToolManifestSchema(path);
      expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(JSON.parse(JSON.stringify(TOOL_MANIFEST_SCHEMA)));
    });

    it('loadToolManifest reads a file, sets source and digest, and reports JSON syntax errors with the line', async () => {
      const good = join(dir, 'decon.tool.json');
      await writeFile(good, JSON.stringify({ ...valid, source: '/elsewhere', digest: 'forged' }, null, 2));
      const tool = await loadToolManifest(good);
      expect(tool.source).toBe(good);
      expect(tool.digest).toMatch(/^[0-9a-f]{64}$/);
      expect(tool.digest).not.toBe('forged');
      expect(tool).not.toHaveProperty('$schema');
      const bad = join(dir, 'bad.tool.json');
      await writeFile(bad, '{\n  "id": "x",\n  oops\n}');
      await expect(loadToolManifest(bad)).rejects.toMatchObject({ code: 'BAD_MANIFEST', details: { file: bad, line: 3 } });
      await expect(loadToolManifest(join(dir, 'missing.tool.json'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  });
});
