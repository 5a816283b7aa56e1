import { describe, expect, it } from 'vitest';
import type { ToolManifest } from '@bioimageit/core';
import { validateJson } from '../http/json-schema.js';
import { parameterSchema } from './parameter-schema.js';

const tool = {
  id: 'demo.tool',
  name: 'Demo',
  version: '1.0.0',
  description: '',
  categories: [],
  inputs: [
    { name: 'image', type: 'data', format: 'imagetiff' },
    { name: 'sigma', type: 'float', label: 'Sigma', help: 'pixels', default: 1.5, min: 0, max: 50 },
    { name: 'iterations', type: 'int', min: 1 },
    {
      name: 'mode',
      type: 'choice',
      default: 'a',
      choices: [
        { value: 'a', label: 'Mode A' },
        { value: 'b', label: 'Mode B' },
      ],
    },
    { name: 'verbose', type: 'bool', default: false, advanced: true, argument: '-v' },
    { name: 'note', type: 'string', optional: true },
  ],
  outputs: [],
  command: { argv: [] },
  requirements: {},
  resources: {},
  type: 'map',
  tests: [],
  source: '/x/demo.tool.json',
  digest: 'd',
} as unknown as ToolManifest;

describe('parameterSchema', () => {
  it('maps each parameter input to a typed property and leaves data inputs out', () => {
    const schema = parameterSchema(tool);
    expect(Object.keys(schema.properties)).toEqual(['sigma', 'iterations', 'mode', 'verbose', 'note']);
    expect(schema.properties['sigma']).toEqual({ title: 'Sigma', description: 'pixels', default: 1.5, type: 'number', minimum: 0, maximum: 50 });
    expect(schema.properties['iterations']).toEqual({ title: 'iterations', type: 'integer', minimum: 1 });
    expect(schema.properties['mode']).toEqual({ title: 'mode', default: 'a', type: 'string', enum: ['a', 'b'], 'x-enum-labels': ['Mode A', 'Mode B'] });
    expect(schema.properties['verbose']).toEqual({ title: 'verbose', default: false, 'x-advanced': true, 'x-argument': '-v', type: 'boolean' });
    expect(schema.required).toEqual(['iterations']);
  });

  it('accepts what the tool accepts and rejects what it does not', () => {
    const schema = parameterSchema(tool);
    expect(validateJson({ iterations: 3, mode: 'b', sigma: 2.5 }, schema, 'params')).toEqual([]);
    expect(validateJson({ mode: 'c', sigma: 99, iterations: 1.5, image: 'x' }, schema, 'params')).toEqual([
      'params.mode: must be one of "a", "b", got "c"',
      'params.sigma: must be <= 50, got 99',
      'params.iterations: expected integer, got number',
      'params.image: unknown property (allowed: sigma, iterations, mode, verbose, note)',
    ]);
    expect(validateJson({}, schema, 'params')).toEqual(['params.iterations: is required']);
  });
});
