import { describe, expect, it } from 'vitest';
import { PluginError } from '@bioimageit/core';
import { probePngEncoder } from './png-encoder.js';

describe('probePngEncoder', () => {
  it('rejects an encoder that loads but cannot draw with MISSING_REQUIREMENT naming the plugin and the fix', async () => {
    const broken = async () => ({ encodePng: async () => Promise.reject(new Error('GLIBC_2.29 not found\nat load')) });
    const error = await probePngEncoder(broken).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PluginError);
    expect(error).toMatchObject({ code: 'MISSING_REQUIREMENT', details: { plugin: 'thumbnails', package: '@bioimageit/thumbnails' } });
    expect((error as PluginError).message).toContain('cannot load its PNG encoder (GLIBC_2.29 not found)');
    expect((error as PluginError).message).toContain("give a working 'loadEncoder'");
  });

  it('hands out an encoder that drew its 1×1 test image', async () => {
    let calls = 0;
    const encoder = await probePngEncoder(async () => ({ encodePng: async () => (calls++, new Uint8Array([1])) }));
    expect(calls).toBe(1);
    expect(await encoder.encodePng(1, 1, new Uint8ClampedArray(4))).toEqual(new Uint8Array([1]));
  });
});
