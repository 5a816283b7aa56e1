import { describe, expect, it } from 'vitest';
import type { AxisDescription, TensorDescription } from '../model-description.js';
import { mapInputAxes, mapOutputAxes, outputImageShape, sampleFromImage, sampleToImage } from './axis-mapping.js';
import { makeTensor } from '../tensor/tensor.js';

const axis = (id: string, type: AxisDescription['type'], size: AxisDescription['size'] = { min: 8, step: 8 }): AxisDescription => ({ id, type, size });
const tensor = (id: string, axes: AxisDescription[]): TensorDescription => ({
  id,
  description: '',
  axes,
  dataType: 'float32',
  preprocessing: [],
  postprocessing: [],
  testTensor: '',
});
const bczyx = (channels: number) =>
  tensor('raw', [axis('b', 'batch', 1), axis('c', 'channel', channels), axis('z', 'space'), axis('y', 'space'), axis('x', 'space')]);
const out = tensor('pred', [
  axis('b', 'batch', 1),
  axis('c', 'channel', 2),
  ...['z', 'y', 'x'].map((id) => ({ id, type: 'space' as const, size: { reference: { tensor: 'raw', axis: id }, scale: 1, offset: 0 } })),
]);

describe('axis mapping', () => {
  it('feeds a ZYX image to bczyx with one channel and batch 1', () => {
    const m = mapInputAxes('unet', bczyx(1), { axes: 'ZYX', shape: [5, 6, 7] });
    expect(m.links.map((l) => l.letter)).toEqual([undefined, undefined, 'Z', 'Y', 'X']);
    expect(m.sampleShape).toEqual([1, 1, 5, 6, 7]);
    expect(m.loop).toEqual([]);
    const o = mapOutputAxes('unet', out, m);
    expect(o.axes).toBe('CZYX');
    expect(outputImageShape(o, [1, 2, 5, 6, 7])).toEqual([2, 5, 6, 7]);
  });

  it('feeds CZYX channels to the channel axis and reorders data', () => {
    const m = mapInputAxes('unet', bczyx(2), { axes: 'CZYX', shape: [2, 3, 4, 5] });
    expect(m.sampleShape).toEqual([1, 2, 3, 4, 5]);
    const data = Uint16Array.from({ length: 120 }, (_, i) => i);
    const sample = sampleFromImage({ axes: 'CZYX', shape: [2, 3, 4, 5], data, dtype: 'uint16' }, m);
    expect(sample.shape).toEqual([1, 2, 3, 4, 5]);
    expect([...sample.data]).toEqual([...data]);
  });

  it('loops over the T of a TCZYX image and writes T back', () => {
    const m = mapInputAxes('unet', bczyx(2), { axes: 'TCZYX', shape: [3, 2, 4, 5, 6] });
    expect(m.loop).toEqual([{ letter: 'T', size: 3 }]);
    const data = Float32Array.from({ length: 3 * 2 * 4 * 5 * 6 }, (_, i) => i);
    const t1 = sampleFromImage({ axes: 'TCZYX', shape: [3, 2, 4, 5, 6], data, dtype: 'float32' }, m, { T: 1 });
    expect(t1.shape).toEqual([1, 2, 4, 5, 6]);
    expect(t1.data[0]).toBe(240);
    const o = mapOutputAxes('unet', out, m);
    expect(o.axes).toBe('TCZYX');
    expect(outputImageShape(o, [1, 2, 4, 5, 6])).toEqual([3, 2, 4, 5, 6]);
    expect(sampleToImage(makeTensor('float32', [1, 2, 4, 5, 6]), o).shape).toEqual([2, 4, 5, 6]);
  });

  it('gives a 2-D image one plane of a 3-D model and loops a 2-D model over Z', () => {
    expect(mapInputAxes('unet', bczyx(1), { axes: 'YX', shape: [6, 7] }).sampleShape).toEqual([1, 1, 1, 6, 7]);
    const byx = tensor('raw', [axis('b', 'batch', 1), axis('c', 'channel', 1), axis('y', 'space'), axis('x', 'space')]);
    const m = mapInputAxes('seg', byx, { axes: 'ZYX', shape: [4, 6, 7] });
    expect(m.loop).toEqual([{ letter: 'Z', size: 4 }]);
    const data = Float32Array.from({ length: 4 * 42 }, (_, i) => i);
    expect(sampleFromImage({ axes: 'ZYX', shape: [4, 6, 7], data, dtype: 'float32' }, m, { Z: 2 }).data[0]).toBe(84);
    const outYX = tensor('mask', [axis('b', 'batch', 1), axis('c', 'channel', 1), axis('y', 'space'), axis('x', 'space')]);
    expect(mapOutputAxes('seg', outYX, m).axes).toBe('ZYX');
  });

  it('names the model, tensor and counts on a channel mismatch', () => {
    expect(() => mapInputAxes('two-channel-2d', bczyx(2), { axes: 'CZYX', shape: [3, 4, 5, 6] })).toThrow(
      "model 'two-channel-2d', tensor 'raw': the model takes 2 channel(s) on axis 'c', the image has 3 (axis C)",
    );
    expect(() => mapInputAxes('two-channel-2d', bczyx(2), { axes: 'ZYX', shape: [4, 5, 6] })).toThrow(
      /takes 2 channel\(s\) on axis 'c', the image has 1 \(no C axis\)/,
    );
    const noChannel = tensor('raw', [axis('y', 'space'), axis('x', 'space')]);
    expect(() => mapInputAxes('m', noChannel, { axes: 'CYX', shape: [3, 5, 6] })).toThrow(
      /the image has 3 channels \(C\) but the model input has no channel axis/,
    );
    expect(() => mapInputAxes('m', noChannel, { axes: 'ZY', shape: [3, 5] })).toThrow(/model axis 'x' needs the image's X axis/);
  });

  it('takes RGB samples as channels', () => {
    const m = mapInputAxes('rgb', tensor('img', [axis('b', 'batch', 1), axis('c', 'channel', 3), axis('y', 'space'), axis('x', 'space')]), {
      axes: 'YXS',
      shape: [4, 5, 3],
    });
    expect(m.links.map((l) => l.letter)).toEqual([undefined, 'S', 'Y', 'X']);
    const data = Uint8Array.from({ length: 60 }, (_, i) => i);
    const s = sampleFromImage({ axes: 'YXS', shape: [4, 5, 3], data, dtype: 'uint8' }, m);
    expect(s.shape).toEqual([1, 3, 4, 5]);
    expect([s.data[0], s.data[1], s.data[20]]).toEqual([0, 3, 1]);
  });
});
