import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TOOL_MANIFEST_SCHEMA } from './tool-manifest-schema.js';

describe('published tool manifest schema', () => {
  it('core/schemas/tool-manifest.schema.json is the schema the validator follows (regenerate with writeToolManifestSchema)', () => {
    const published = JSON.parse(readFileSync(new URL('../../schemas/tool-manifest.schema.json', import.meta.url), 'utf8')) as unknown;
    expect(published).toEqual(JSON.parse(JSON.stringify(TOOL_MANIFEST_SCHEMA)));
  });
});
