import { describe, expect, it } from 'vitest';
import { parseImageJDescription } from './imagej-description.js';
import { buildOmeXml, isOmeXml, parseOmePixels } from './ome-xml.js';

describe('OME-XML', () => {
  it('extracts Pixels attributes with namespaces, single quotes, entities and default units', () => {
    const xml = `<?xml version="1.0"?><ome:OME xmlns:ome="x"><ome:Image ID='Image:0'><ome:Pixels ID="Pixels:0" DimensionOrder='XYCZT' Type="uint16"
      SizeX="64" SizeY="32" SizeZ="5" SizeC="2" SizeT="1" PhysicalSizeX="0.1" PhysicalSizeY="0.1" PhysicalSizeYUnit="&#181;m"
      PhysicalSizeZ="0.5" PhysicalSizeZUnit="nm" TimeIncrement="" ></ome:Pixels></ome:Image><ome:Image ID="Image:1"></ome:Image></ome:OME>`;
    expect(isOmeXml(xml)).toBe(true);
    expect(parseOmePixels(xml)).toEqual({
      sizeX: 64,
      sizeY: 32,
      sizeZ: 5,
      sizeC: 2,
      sizeT: 1,
      dimensionOrder: 'XYCZT',
      type: 'uint16',
      imageCount: 2,
      physicalSize: { x: { value: 0.1, unit: 'µm' }, y: { value: 0.1, unit: 'µm' }, z: { value: 0.5, unit: 'nm' } },
    });
  });

  it('returns undefined without a usable Pixels element', () => {
    expect(parseOmePixels('<OME><Image/></OME>')).toBeUndefined();
    expect(parseOmePixels('<OME><Pixels SizeX="0" SizeY="3"/></OME>')).toBeUndefined();
    expect(parseOmePixels('<OME><Pixels SizeX="2" SizeY="3" DimensionOrder="XYZZT"/></OME>')).toBeUndefined();
  });

  it('derives DimensionOrder from the axes and survives a parse', () => {
    const cases: Array<[string, number[], string]> = [
      ['TCZYX', [2, 3, 4, 5, 6], 'XYZCT'],
      ['ZYX', [4, 5, 6], 'XYZCT'],
      ['CZYX', [3, 4, 5, 6], 'XYZCT'],
      ['ZCYX', [4, 3, 5, 6], 'XYCZT'],
      ['TZYXS', [2, 4, 5, 6, 3], 'XYZTC'],
    ];
    for (const [axes, shape, order] of cases) {
      const px = parseOmePixels(buildOmeXml({ axes, shape, dtype: 'float32' }))!;
      expect(px.dimensionOrder, axes).toBe(order);
      expect(px.type).toBe('float');
      expect([px.sizeX, px.sizeY]).toEqual([6, 5]);
    }
    const rgb = parseOmePixels(buildOmeXml({ axes: 'TZYXS', shape: [2, 4, 5, 6, 3], dtype: 'uint8' }))!;
    expect([rgb.sizeC, rgb.sizeZ, rgb.sizeT]).toEqual([3, 4, 2]);
  });
});

describe('OME-XML parsing time', () => {
  /** A Pixels tag with an `n`-character attribute value and `n`-character runs of valueless names and whitespace. */
  function hostile(n: number): string {
    const run = 'a '.repeat(n / 2) + 'b'.repeat(n) + ' '.repeat(n) + 'c\t'.repeat(n / 2);
    return `<OME><Image ID="Image:0"><Pixels Type="${'v'.repeat(n - 5)}&amp;" ${run} SizeX="16" SizeY="8" SizeZ="3" DimensionOrder="XYZCT" ${run}></Pixels></Image></OME>`;
  }

  function fastest(n: number): number {
    const xml = hostile(n);
    let best = Infinity;
    for (let i = 0; i < 7; i++) {
      const start = performance.now();
      const px = parseOmePixels(xml);
      best = Math.min(best, performance.now() - start);
      expect(px).toMatchObject({ sizeX: 16, sizeY: 8, sizeZ: 3, sizeC: 1, sizeT: 1, dimensionOrder: 'XYZCT', imageCount: 1 });
      expect(px?.type).toBe('v'.repeat(n - 5) + '&');
    }
    return best;
  }

  it('is linear in the length of an attribute value and of runs of valueless attributes and whitespace', () => {
    fastest(100_000);
    const ratio = fastest(400_000) / fastest(100_000);
    expect(ratio).toBeLessThan(8);
  });
});

describe('ImageJ description', () => {
  it('reads counts, spacing, units and defaults', () => {
    expect(parseImageJDescription('ImageJ=1.54f\r\nimages=6\r\nchannels=2\r\nslices=3\r\nunit=\\u00B5m\r\nspacing=0.25\r\nfinterval=x\r\n')).toEqual({
      images: 6,
      channels: 2,
      slices: 3,
      frames: 1,
      spacing: 0.25,
      unit: '\\u00B5m',
      finterval: undefined,
      tunit: undefined,
    });
  });
});
