import { describe, expect, it } from 'vitest';
import { parseRunModelArgs } from './run-model-command.js';

describe('parseRunModelArgs', () => {
  it('reads the model, one path per tensor and the parameters, in both option forms', () => {
    expect(
      parseRunModelArgs(['--model', '/m/unet/1', '--input-raw', '/in/a b.tif', '--output-mask=/out/a_mask.ome.tif', '--tile', '64', '--threads=2']),
    ).toEqual({
      model: '/m/unet/1',
      inputs: { raw: '/in/a b.tif' },
      outputs: { mask: '/out/a_mask.ome.tif' },
      tile: 64,
      threads: 2,
    });
    expect(parseRunModelArgs(['--model', 'm', '--input-x', 'a', '--output-y', 'b'])).toMatchObject({ tile: 0, threads: 0 });
  });

  it('refuses unknown options, stray words, missing values and bad numbers', () => {
    const base = ['--model', 'm', '--input-x', 'a', '--output-y', 'b'];
    expect(() => parseRunModelArgs([...base, '--nope', '1'])).toThrow(/unknown option --nope/);
    expect(() => parseRunModelArgs([...base, 'stray'])).toThrow(/unexpected argument 'stray'/);
    expect(() => parseRunModelArgs([...base, '--tile'])).toThrow(/--tile needs a value/);
    expect(() => parseRunModelArgs([...base, '--tile', '-3'])).toThrow(/--tile must be a whole number/);
    expect(() => parseRunModelArgs(['--input-x', 'a', '--output-y', 'b'])).toThrow(/missing --model/);
    expect(() => parseRunModelArgs(['--model', 'm', '--output-y', 'b'])).toThrow(/missing --input-<tensor>/);
  });
});
