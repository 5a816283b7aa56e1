import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createToolManifest } from './load-tool-manifest.js';
import { loadV1Wrapper, v1WrapperBody } from './load-v1-wrapper.js';
import { canonicalJson, computeToolDigest } from './manifest-digest.js';

const THRESHOLD = fileURLToPath(new URL('../../../tests/fixtures/v1/tools/biitthreshold/biitthreshold.xml', import.meta.url));

const manifest = {
  id: 'demo.blur',
  name: 'Blur',
  version: '1.0.0',
  inputs: [
    { name: 'i', type: 'data', format: 'imagetiff' },
    { name: 'sigma', type: 'float', default: 2 },
  ],
  outputs: [{ name: 'o', format: 'imagetiff' }],
  command: { argv: ['blur', '{inputs.i}', '{outputs.o}', '{params.sigma}'] },
};

/** The same JSON with every object's keys in reverse order. */
function reversed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversed);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reversed(v)]),
  );
}

describe('canonicalJson', () => {
  it('sorts keys at every depth, drops undefined members, keeps array order', () => {
    expect(canonicalJson({ b: [3, { y: 1, x: undefined, a: 'é' }], a: null, c: true })).toBe('{"a":null,"b":[3,{"a":"é","y":1}],"c":true}');
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(TypeError);
  });
});

describe('tool digest', () => {
  it('is stable across key order and ignores source', () => {
    const a = createToolManifest(manifest, '/a/blur.tool.json');
    const b = createToolManifest(reversed(manifest), '/b/elsewhere.tool.json');
    expect(a.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(b.digest).toBe(a.digest);
    expect(computeToolDigest(a)).toBe(a.digest);
  });

  it('changes when a parameter default, the argv or a requirement changes', () => {
    const base = createToolManifest(manifest, 'x').digest;
    const withDefault = { ...manifest, inputs: [manifest.inputs[0], { ...manifest.inputs[1], default: 3 }] };
    expect(createToolManifest(withDefault, 'x').digest).not.toBe(base);
    expect(createToolManifest({ ...manifest, command: { argv: ['blur2', '{inputs.i}', '{outputs.o}'] } }, 'x').digest).not.toBe(base);
    expect(createToolManifest({ ...manifest, requirements: { docker: { image: 'blur:2' } } }, 'x').digest).not.toBe(base);
  });

  it('covers the XML bytes of a v1 wrapper', async () => {
    const tool = await loadV1Wrapper(THRESHOLD);
    const body = v1WrapperBody('<tool id="t" name="t" version="1"><command>x</command></tool>', 'f');
    expect(computeToolDigest(body, [new TextEncoder().encode('<a/>')])).not.toBe(computeToolDigest(body, [new TextEncoder().encode('<a />')]));
    expect(computeToolDigest(body)).not.toBe(computeToolDigest(body, [new Uint8Array()]));
    expect(tool.digest).not.toBe(computeToolDigest(tool));
    expect((await loadV1Wrapper(THRESHOLD)).digest).toBe(tool.digest);
  });
});
