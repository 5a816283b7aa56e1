import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

const ID = { type: 'string', pattern: '^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$' } as const;
const KEY = { type: 'string', pattern: '^[a-z][a-z0-9+.-]*$' } as const;
const VARIABLE = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' } as const;
const REQUIREMENT_PATHS = {
  type: 'array',
  items: { type: 'string', pattern: '^[a-z][a-zA-Z0-9_-]*(?:\\.[a-zA-Z][a-zA-Z0-9_-]*)?$' },
  description: "Tool requirement keys (`container`) or `key.field` paths (`addon.plugin`) of a tool manifest's `requirements`.",
} as const;
const NON_EMPTY = { type: 'string', minLength: 1 } as const;

/**
 * JSON Schema (draft 2020-12) of a plugin's manifest, the `bioimageit` field of its package.json,
 * published as `@bioimageit/core/schemas/plugin-manifest.schema.json`. The kernel validates with
 * `validatePluginManifest`, which also checks what a schema cannot say (the core version against
 * `engines.core`, probe names listed in `requires`, regular expressions that compile);
 * `checkPluginPackage` reports every problem of both kinds with its field path.
 */
export const PLUGIN_MANIFEST_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'urn:bioimageit:schema:plugin-manifest:1',
  title: 'BioImageIT plugin manifest',
  description: 'The "bioimageit" field of a plugin package.json: what the plugin contributes and requires, read before any plugin code runs.',
  type: 'object',
  required: ['id', 'engines', 'module'],
  additionalProperties: false,
  properties: {
    id: { ...ID, description: 'Plugin id, lower-case kebab-case, unique among configured plugins.' },
    engines: {
      type: 'object',
      required: ['core'],
      additionalProperties: false,
      properties: { core: { ...NON_EMPTY, description: 'Semver range of @bioimageit/core this plugin works with, e.g. ^0.1.0.' } },
    },
    module: {
      type: 'string',
      pattern: '^\\./',
      description: "Subpath export (package.json `exports`) whose default export is an inversify ContainerModule holding only bindings, e.g. './module'.",
    },
    contributes: {
      type: 'object',
      additionalProperties: false,
      description: 'What the plugin contributes, so the kernel routes requests to it without running its code.',
      properties: {
        storage: {
          type: 'array',
          items: { type: 'object', required: ['scheme'], properties: { scheme: { ...KEY, description: 'URI scheme, e.g. lab-store.' } } },
        },
        runners: {
          type: 'array',
          items: {
            type: 'object',
            required: ['id'],
            additionalProperties: false,
            properties: {
              id: { ...KEY, description: 'Runner id (what --runner names).' },
              satisfies: { ...REQUIREMENT_PATHS, description: 'Tool requirement paths this runner honours. Default [].' },
              priority: { type: 'number', description: 'Higher is tried first. Default 0.' },
              warnWhenMissing: { ...REQUIREMENT_PATHS, description: 'Requirement paths that warn when this plugin is not configured. Default: satisfies.' },
              whenUnavailable: { enum: ['local', 'fail'], description: 'local (default): fall back to the host with a warning; fail: fail the run.' },
            },
          },
        },
        formats: {
          type: 'array',
          items: { type: 'object', required: ['id'], properties: { id: KEY, extensions: { type: 'array', items: { type: 'string' } } } },
        },
        toolSources: { type: 'array', items: { type: 'object', required: ['id'], properties: { id: KEY } } },
        hooks: { type: 'boolean', description: 'True when the plugin taps kernel hooks (activated at kernel start).' },
        commands: {
          type: 'array',
          description: 'CLI commands the plugin contributes.',
          items: {
            type: 'object',
            required: ['name', 'summary', 'module'],
            additionalProperties: false,
            properties: {
              name: { ...ID, description: 'Command name, e.g. lab-sync.' },
              summary: { type: 'string', pattern: '^[^\\n]*\\S[^\\n]*$', description: 'One non-empty line for --help.' },
              module: { type: 'string', pattern: '^\\./', description: 'Subpath export of the module that defines the command.' },
            },
          },
        },
      },
    },
    requires: {
      type: 'array',
      items: { ...ID, description: 'Capability name (a container engine, a GPU, a scheduler...), probed before the plugin is imported.' },
    },
    probes: {
      type: 'object',
      description: 'How each required capability is probed, by capability name (every key listed in requires).',
      additionalProperties: {
        type: 'object',
        required: ['anyOf', 'reason'],
        additionalProperties: false,
        properties: {
          anyOf: {
            type: 'array',
            minItems: 1,
            items: {
              oneOf: [
                {
                  type: 'object',
                  required: ['env'],
                  additionalProperties: false,
                  properties: { env: VARIABLE, matches: { ...NON_EMPTY, description: 'Regular expression the value must match.' } },
                },
                {
                  type: 'object',
                  required: ['file'],
                  additionalProperties: false,
                  properties: {
                    file: NON_EMPTY,
                    fromEnv: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: VARIABLE, prefix: { type: 'string' } } },
                  },
                },
                { type: 'object', required: ['onPath'], additionalProperties: false, properties: { onPath: NON_EMPTY } },
              ],
            },
          },
          reason: { type: 'string', pattern: '\\S', description: 'What is missing; {file} stands for the last path a file check looked at.' },
          fix: { type: 'string', pattern: '\\S', description: 'What to do about it.' },
        },
      },
    },
    settings: {
      type: 'array',
      items: { type: 'string', pattern: '^[A-Z][A-Z0-9_]*$' },
      description: 'Names of the environment variables (settings) the plugin reads.',
    },
  },
} as const;

/** Writes {@link PLUGIN_MANIFEST_SCHEMA} as pretty JSON to `path` (creating its folder); used to publish the schema file. */
export async function writePluginManifestSchema(path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(PLUGIN_MANIFEST_SCHEMA, null, 2)}\n`, 'utf8');
}
