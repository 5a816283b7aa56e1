import { describe, expect, it } from 'vitest';
import type { PixelArray } from '../extension-points/format-codec.js';
import { colorFromOme, colorToOme } from './channel-color.js';
import { imageJLutColors } from './imagej-luts.js';
import { buildOmeXml, parseOmePixels } from './ome-xml.js';
import { readTiffMetadata } from './tiff-metadata.js';
import { encodeTiff } from './tiff-writer.js';

const zcyx = (c: number): PixelArray => ({ data: new Uint8Array(2 * c * 4 * 5), shape: [2, c, 4, 5], dtype: 'uint8', axes: 'ZCYX' });

/** IJMetadata bytes: magic, (type, count) pairs, then the entries; and its byte counts. */
function ijMetadata(littleEndian: boolean, entries: Array<[string, Uint8Array[]]>): { byteCounts: number[]; data: Uint8Array } {
  const headerSize = 4 + entries.length * 8;
  const blobs = entries.flatMap(([, list]) => list);
  const data = new Uint8Array(headerSize + blobs.reduce((n, b) => n + b.length, 0));
  const view = new DataView(data.buffer);
  data.set(new TextEncoder().encode(littleEndian ? 'JIJI' : 'IJIJ'));
  entries.forEach(([type, list], i) => {
    const code = [...type].reduce((n, ch) => n * 256 + ch.charCodeAt(0), 0);
    view.setUint32(4 + i * 8, code, littleEndian);
    view.setUint32(8 + i * 8, list.length, littleEndian);
  });
  let at = headerSize;
  for (const b of blobs) {
    data.set(b, at);
    at += b.length;
  }
  return { byteCounts: [headerSize, ...blobs.map((b) => b.length)], data };
}

function lut(r: number, g: number, b: number): Uint8Array {
  const table = new Uint8Array(768);
  for (let i = 0; i < 256; i++) [table[i], table[256 + i], table[512 + i]] = [(r * i) / 255, (g * i) / 255, (b * i) / 255];
  return table;
}

describe('channel colours', () => {
  it('reads OME RGBA integers, signed or not, and writes them back signed with alpha 255', () => {
    expect(colorFromOme('-16776961')).toBe('#ff0000');
    expect(colorFromOme('4278190335')).toBe('#ff0000');
    expect(colorFromOme('16711935')).toBe('#00ff00');
    expect(colorFromOme('65535')).toBe('#0000ff');
    expect(colorFromOme('-1')).toBe('#ffffff');
    for (const bad of [undefined, '', 'red', '1.5', '4294967296', '-2147483649', '0x00ff00ff']) expect(colorFromOme(bad), String(bad)).toBeUndefined();
    for (const hex of ['#ff0000', '#00ff00', '#0000ff', '#ffffff', '#123abc']) expect(colorFromOme(String(colorToOme(hex)))).toBe(hex);
    expect(colorToOme('#ff0000')).toBe(-16776961);
    expect(() => colorToOme('red')).toThrow(/not #rrggbb/);
  });
});

describe('OME Channel elements', () => {
  it('reads names (entities decoded), colours and wavelengths with their default unit, in order', () => {
    const xml = `<OME><Image ID="Image:0"><Pixels DimensionOrder="XYCZT" SizeX="4" SizeY="4" SizeZ="1" SizeC="3" SizeT="1">
      <Channel ID="Channel:0:0" Name="DAPI &amp; co" Color="-16776961" ExcitationWavelength="405" EmissionWavelength="0.461" EmissionWavelengthUnit="µm"><LightPath/></Channel>
      <Channel ID="Channel:0:1"/>
      <ome:Channel ID='Channel:0:2' Name='GFP' Color='not a colour' ExcitationWavelength='-3'/>
      <Channel ID="Channel:0:3" Name="beyond SizeC"/>
      <TiffData/></Pixels></Image></OME>`;
    expect(parseOmePixels(xml)?.channels).toEqual([
      { name: 'DAPI & co', color: '#ff0000', excitation: { value: 405, unit: 'nm' }, emission: { value: 0.461, unit: 'µm' } },
      {},
      { name: 'GFP' },
    ]);
  });

  it('leaves channels out when none says anything, and never takes them from outside the first Pixels', () => {
    const pixels = 'DimensionOrder="XYCZT" SizeX="4" SizeY="4" SizeC="2"';
    expect(parseOmePixels(`<OME><Image><Pixels ${pixels}><Channel ID="c0"/><Channel ID="c1"/></Pixels></Image></OME>`)).not.toHaveProperty('channels');
    expect(parseOmePixels(`<OME><Image><Pixels ${pixels}/><Channel Name="stray"/></Image></OME>`)).not.toHaveProperty('channels');
    expect(parseOmePixels(`<OME><Image><Pixels ${pixels}></Pixels><Channel Name="after"/></Image></OME>`)).not.toHaveProperty('channels');
    const second = `<OME><Image><Pixels ${pixels}><Channel Name="a"/></Pixels></Image><Image><Pixels ${pixels}><Channel Name="b"/></Pixels></Image></OME>`;
    expect(parseOmePixels(second)?.channels).toEqual([{ name: 'a' }]);
  });

  it('scans a huge document of channels in linear time, keeping at most SizeC', () => {
    const xml = `<OME><Image><Pixels DimensionOrder="XYCZT" SizeX="4" SizeY="4" SizeC="2">${'<Channel Name="x" Color="1"/>'.repeat(200_000)}</Pixels></Image></OME>`;
    const started = performance.now();
    expect(parseOmePixels(xml)?.channels).toHaveLength(2);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('buildOmeXml writes what parseOmePixels reads, escaping names', () => {
    const channels = [{ name: 'a "quoted" <name>', color: '#ff8000', emission: { value: 520, unit: 'nm' } }, { excitation: { value: 0.4, unit: 'µm' } }];
    const xml = buildOmeXml({ shape: [2, 4, 4], axes: 'CYX', dtype: 'uint16', channels });
    expect(parseOmePixels(xml)?.channels).toEqual(channels);
  });
});

describe('ImageJ LUTs', () => {
  it('takes the last entry of each LUT as its colour, in either byte order, skipping other entries', () => {
    for (const le of [false, true]) {
      const meta = ijMetadata(le, [
        ['info', [new Uint8Array(10)]],
        ['luts', [lut(255, 0, 0), lut(0, 255, 0), lut(255, 0, 255)]],
        ['roi ', [new Uint8Array(7)]],
      ]);
      expect(imageJLutColors(meta.byteCounts, meta.data), le ? 'little-endian' : 'big-endian').toEqual(['#ff0000', '#00ff00', '#ff00ff']);
      expect(imageJLutColors(meta.byteCounts, meta.data.subarray(0, meta.byteCounts[0]! + 10 + 768 + 100))).toEqual(['#ff0000']);
    }
  });

  it('ignores what is not IJMetadata', () => {
    const meta = ijMetadata(false, [['luts', [lut(255, 0, 0)]]]);
    expect(imageJLutColors(meta.byteCounts, new Uint8Array(meta.data.length))).toEqual([]);
    expect(imageJLutColors([], meta.data)).toEqual([]);
    expect(imageJLutColors([7, 768], meta.data)).toEqual([]);
    expect(imageJLutColors([meta.byteCounts[0]!, 767], meta.data)).toEqual([]);
  });
});

describe('TIFF writer channels option', () => {
  it('round-trips channels through OME-XML and through the JSON description', () => {
    const channels = [{ name: 'DAPI', color: '#0000ff' }, { name: 'GFP', color: '#00ff00', emission: { value: 510, unit: 'nm' } }, {}];
    for (const ome of [true, false]) {
      const meta = readTiffMetadata(encodeTiff(zcyx(3), { ome, channels }), 'x.tif');
      expect(meta.channels, `ome ${ome}`).toEqual(channels);
      expect(meta.axes).toBe('ZCYX');
    }
    const single: PixelArray = { data: new Uint8Array(20), shape: [4, 5], dtype: 'uint8', axes: 'YX' };
    expect(readTiffMetadata(encodeTiff(single, { ome: true, channels: [{ name: 'only' }] }), 'x.tif').channels).toEqual([{ name: 'only' }]);
  });

  it('refuses channels that do not fit, naming the file and the channel', () => {
    expect(() => encodeTiff(zcyx(3), { ome: true, channels: [{ name: 'a' }] })).toThrow(/<memory>.*1 channel descriptions given for 3 channel\(s\)/);
    expect(() => encodeTiff(zcyx(1), { channels: [{ name: 'GFP', color: 'green' }] })).toThrow(/channel 0 \('GFP'\) has colour "green", not #rrggbb/);
    expect(() => encodeTiff(zcyx(1), { channels: [{ emission: { value: -1, unit: 'nm' } }] })).toThrow(/channel 0 has emission wavelength/);
  });

  it('records the time increment of an ImageJ description even without a length unit', () => {
    const meta = readTiffMetadata(encodeTiff(zcyx(1), { description: 'ImageJ=1.54f\nimages=2\nframes=2\nfinterval=0.5\n' }), 'x.tif');
    expect(meta.timeIncrement).toEqual({ value: 0.5, unit: 's' });
    expect(meta.physicalSize).toEqual({ t: { value: 0.5, unit: 's' } });
  });
});
