import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { TOOL_TEST_COMPARES, TOOL_INPUT_TYPES } from './tool-manifest.js';
import { EXTENSION, IO_NAME } from './validate-tool-io.js';
import { REQUIREMENT_KEY, TOOL_ID, TOOL_VERSION } from './validate-tool-manifest.js';

const NAME = { type: 'string', pattern: IO_NAME.source } as const;
const TEXT = { type: 'string' } as const;
const NON_EMPTY = { type: 'string', minLength: 1 } as const;
const STRINGS = { type: 'array', items: NON_EMPTY } as const;
const STRING_MAP = { type: 'object', additionalProperties: TEXT } as const;

/**
 * JSON Schema (draft 2020-12) of the native tool manifest (`*.tool.json`), published as
 * `@bioimageit/core/schemas/tool-manifest.schema.json` so editors can complete and check manifests.
 * The kernel itself validates with `validateToolManifest`, which also checks what a schema cannot
 * say (unique names, placeholders naming declared inputs, defaults within range and choices).
 */
export const TOOL_MANIFEST_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'urn:bioimageit:schema:tool-manifest:1',
  title: 'BioImageIT tool manifest',
  description: 'One analysis tool: typed inputs, outputs, an argv template, requirements and tests.',
  type: 'object',
  required: ['id', 'name', 'version', 'command'],
  additionalProperties: false,
  properties: {
    $schema: { type: 'string', description: 'URI of this schema, for editors.' },
    id: { type: 'string', pattern: TOOL_ID.source, description: 'Namespaced lower-case id, e.g. gpu-decon.deconvolve.' },
    name: { ...NON_EMPTY, description: 'Human-readable name.' },
    version: { type: 'string', pattern: TOOL_VERSION.source, description: 'Semver-like version.' },
    description: TEXT,
    categories: { ...STRINGS, description: 'Toolbox categories (Denoising, Segmentation, ...).' },
    inputs: { type: 'array', items: { $ref: '#/$defs/input' } },
    outputs: { type: 'array', items: { $ref: '#/$defs/output' } },
    command: {
      type: 'object',
      required: ['argv'],
      additionalProperties: false,
      properties: {
        argv: {
          type: 'array',
          minItems: 1,
          items: TEXT,
          description: 'Each element is one argument; placeholders {inputs.NAME}, {outputs.NAME}, {params.NAME}, {env.NAME}, {tool.dir}.',
        },
      },
    },
    requirements: {
      type: 'object',
      description:
        'What the tool needs: docker, conda and native are described here; any other lower-case key (apptainer...) is an object a runner plugin declares it satisfies (`contributes.runners[].satisfies`).',
      additionalProperties: false,
      patternProperties: { [REQUIREMENT_KEY.source]: { type: 'object' } },
      properties: {
        docker: {
          type: 'object',
          required: ['image'],
          additionalProperties: false,
          properties: { image: NON_EMPTY, network: { type: 'boolean', description: 'True when the tool needs a network in its container (none otherwise).' } },
        },
        conda: {
          type: 'object',
          additionalProperties: false,
          properties: { env: NON_EMPTY, packages: STRINGS, channels: STRINGS, file: NON_EMPTY, init: NON_EMPTY },
        },
        native: { type: 'object', additionalProperties: false, properties: { executables: STRINGS, plugin: NON_EMPTY } },
      },
    },
    resources: {
      type: 'object',
      additionalProperties: false,
      properties: {
        cpus: { type: 'number', exclusiveMinimum: 0 },
        memoryMb: { type: 'number', exclusiveMinimum: 0 },
        gpus: { type: 'integer', minimum: 0 },
        timeoutS: { type: 'number', exclusiveMinimum: 0 },
      },
    },
    type: { enum: ['map', 'reduce'], default: 'map', description: 'map: once per item; reduce: once per group.' },
    tests: { type: 'array', items: { $ref: '#/$defs/test' } },
    help: TEXT,
    owner: TEXT,
    homepage: TEXT,
    authors: { ...STRINGS, description: 'Who made the tool (names, or "Name (ORCID 0000-…)").' },
    license: { ...TEXT, description: 'Licence of the tool, an SPDX identifier such as MIT.' },
    cite: {
      type: 'array',
      description: 'What to cite when the tool is used.',
      items: { type: 'object', required: ['text'], additionalProperties: false, properties: { text: NON_EMPTY, doi: NON_EMPTY, url: NON_EMPTY } },
    },
    facts: {
      type: 'object',
      description: "Facts recorded with every run of the tool (a model's id, its weights' sha256, the runtime).",
      additionalProperties: { type: 'string' },
    },
    source: { type: 'string', readOnly: true, description: 'Set by the loader (the manifest path); ignored in files.' },
    digest: { type: 'string', readOnly: true, description: 'Set by the loader (sha256 of the canonical manifest); ignored in files.' },
  },
  $defs: {
    input: {
      type: 'object',
      required: ['name', 'type'],
      additionalProperties: false,
      properties: {
        name: NAME,
        type: { enum: TOOL_INPUT_TYPES },
        label: TEXT,
        help: TEXT,
        format: { type: 'string', description: 'Data inputs: format id such as imagetiff.' },
        default: { type: ['string', 'number', 'boolean'] },
        min: { type: 'number' },
        max: { type: 'number' },
        choices: {
          type: 'array',
          minItems: 1,
          items: { type: 'object', required: ['value', 'label'], additionalProperties: false, properties: { value: TEXT, label: TEXT } },
        },
        optional: { type: 'boolean' },
        advanced: { type: 'boolean' },
        argument: TEXT,
        trueValue: TEXT,
        falseValue: TEXT,
      },
    },
    output: {
      type: 'object',
      required: ['name', 'format'],
      additionalProperties: false,
      properties: {
        name: NAME,
        format: NON_EMPTY,
        label: TEXT,
        template: { ...NON_EMPTY, description: 'File name without extension: {output}, {input.stem}, {input.name}, {index}.' },
        extension: { type: 'string', pattern: EXTENSION.source },
      },
    },
    test: {
      type: 'object',
      additionalProperties: false,
      properties: {
        params: STRING_MAP,
        inputs: STRING_MAP,
        outputs: {
          type: 'object',
          additionalProperties: {
            type: 'object',
            additionalProperties: false,
            properties: { file: NON_EMPTY, compare: { enum: TOOL_TEST_COMPARES } },
          },
        },
      },
    },
  },
} as const;

/** Writes {@link TOOL_MANIFEST_SCHEMA} as pretty JSON to `path` (creating its folder); used to publish the schema file. */
export async function writeToolManifestSchema(path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(TOOL_MANIFEST_SCHEMA, null, 2)}\n`, 'utf8');
}
