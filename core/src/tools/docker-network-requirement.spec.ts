import { describe, expect, it } from 'vitest';
import { checkToolManifest, validateToolManifest } from './validate-tool-manifest.js';

const manifest = (docker: unknown): Record<string, unknown> => ({
  id: 'net.tool',
  name: 'N',
  version: '1',
  command: { argv: ['fetch'] },
  requirements: { docker },
});
const problems = (docker: unknown): string[] => checkToolManifest(manifest(docker)).map((p) => `${p.path}: ${p.message}`);

describe('requirements.docker.network', () => {
  it('is optional and kept when true or false', () => {
    expect(problems({ image: 'x:1' })).toEqual([]);
    expect(validateToolManifest(manifest({ image: 'x:1', network: true }), 'f').requirements.docker).toEqual({ image: 'x:1', network: true });
    expect(validateToolManifest(manifest({ image: 'x:1', network: false }), 'f').requirements.docker).toEqual({ image: 'x:1', network: false });
  });

  it('must be a boolean', () => {
    expect(problems({ image: 'x:1', network: 'host' }).join('\n')).toContain('requirements.docker.network');
  });
});
