import { expandArgv, validateParams, validateToolManifest } from '@bioimageit/core';
import { describe, expect, it } from 'vitest';
import { GpuDeconToolSource } from './gpu-decon-tool-source.js';
import { GPU_DECON_TOOLS } from './gpu-decon-tools.js';

describe('GpuDeconToolSource', () => {
  const source = new GpuDeconToolSource();

  it('lists deskew, deconvolve and llsm, each a valid manifest requiring this plugin', async () => {
    const listed = await source.listTools();
    expect(listed.map((t) => t.id)).toEqual(['gpu-decon.deskew', 'gpu-decon.deconvolve', 'gpu-decon.llsm']);
    for (const body of GPU_DECON_TOOLS) {
      expect(() => validateToolManifest(body, `plugin:gpu-decon/${body.id}`)).not.toThrow();
      expect(body.requirements).toEqual({ native: { plugin: 'gpu-decon' } });
    }
    const llsm = await source.getTool('gpu-decon.llsm');
    expect(llsm.source).toBe('plugin:gpu-decon');
    expect(llsm.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(llsm.outputs.map((o) => `${o.name}${o.extension}`)).toEqual(['deskewed.ome.tif', 'deconvolved.ome.tif', 'mip.png']);
    expect(await source.getTool('gpu-decon.llsm_v0.1.0')).toBe(llsm);
  });

  it('builds argv the native runner reads back, with validated parameters and defaults', async () => {
    const tool = await source.getTool('gpu-decon.deconvolve');
    const argv = expandArgv(tool, {
      inputs: { stack: '/a/s.tif', psf: '/a/p.tif' },
      outputs: { deconvolved: 'o.ome.tif' },
      params: validateParams(tool, { iterations: '7' }),
    });
    expect(argv.slice(0, 4)).toEqual(['gpu-decon', 'deconvolve', '--stack=/a/s.tif', '--psf=/a/p.tif']);
    expect(argv).toContain('--iterations=7');
    expect(argv).toContain('--padding=padded');
    expect(argv.at(-1)).toBe('--out-deconvolved=o.ome.tif');
    expect(() => validateParams(tool, { iterations: '-1' })).toThrow(/iterations/);
    expect(() => validateParams(tool, { padding: 'mirror' })).toThrow(/padding/);
  });

  it('answers an unknown id with ToolError NOT_FOUND listing its tools', async () => {
    await expect(source.getTool('gpu-decon.nope')).rejects.toMatchObject({
      area: 'tool',
      code: 'NOT_FOUND',
      message: expect.stringContaining('gpu-decon.deskew, gpu-decon.deconvolve, gpu-decon.llsm'),
    });
  });
});
