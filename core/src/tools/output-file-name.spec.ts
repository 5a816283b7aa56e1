import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createToolManifest } from './load-tool-manifest.js';
import { loadV1Wrapper } from './load-v1-wrapper.js';
import { outputFileName } from './output-file-name.js';

const THRESHOLD = fileURLToPath(new URL('../../../tests/fixtures/v1/tools/biitthreshold/biitthreshold.xml', import.meta.url));

const tool = createToolManifest(
  {
    id: 'demo.names',
    name: 'Names',
    version: '1.0.0',
    outputs: [
      { name: 'table', format: 'numbercsv' },
      { name: 'zarr', format: 'imagezarr', template: '{input.name}-{index}' },
      { name: 'movie', format: 'movietxt', template: 'movie' },
      { name: 'model', format: 'trackmatemodel' },
      { name: 'png', format: 'imagepng', extension: 'png' },
      { name: 'tiff', format: 'imagetiff', extension: '.tiff' },
      { name: 'odd', format: 'imagepng' },
      { name: 'arr', format: 'arraycsv', template: '{output}' },
      { name: 'tab', format: 'tablecsv', template: '{input.stem}' },
    ],
    command: { argv: ['x'] },
  },
  '/t/names.tool.json',
);

describe('outputFileName', () => {
  it("follows v1's naming for the threshold wrapper: o_population1_001.tif", async () => {
    expect(outputFileName(await loadV1Wrapper(THRESHOLD), 'o', 'population1_001')).toBe('o_population1_001.tif');
  });

  it('fills {output}, {input.stem}, {input.name}, {index} and picks the extension of the format or the output', () => {
    expect(outputFileName(tool, 'table', 'cells')).toBe('table_cells.csv');
    expect(outputFileName(tool, 'zarr', { stem: 'p1_001', name: 'Population 1' }, 3)).toBe('Population 1-3.zarr');
    expect(outputFileName(tool, 'zarr', 'p1_001', 0)).toBe('p1_001-0.zarr');
    expect(outputFileName(tool, 'movie', 'a')).toBe('movie.txt');
    expect(outputFileName(tool, 'model', 'a')).toBe('model_a.xml');
    expect(outputFileName(tool, 'png', 'a')).toBe('png_a.png');
    expect(outputFileName(tool, 'tiff', 'a')).toBe('tiff_a.tiff');
    expect(outputFileName(tool, 'arr', 'a')).toBe('arr.csv');
  });

  it('refuses unknown outputs, missing indexes, unknown extensions and names that are not plain file names', () => {
    expect(() => outputFileName(tool, 'nope', 'a')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(() => outputFileName(tool, 'zarr', 'a')).toThrow(
      expect.objectContaining({ code: 'BAD_PARAMETER', message: expect.stringMatching(/needs an \{index\}/) }),
    );
    expect(() => outputFileName(tool, 'odd', 'a')).toThrow(
      "/t/names.tool.json: outputs 'odd' has format 'imagepng' with no known extension; set its 'extension'",
    );
    expect(() => outputFileName(tool, 'table', '../../etc/passwd')).toThrow(expect.objectContaining({ code: 'BAD_PARAMETER' }));
    expect(() => outputFileName(tool, 'tab', '..')).toThrow(/not a plain file name/);
    expect(() => outputFileName(tool, 'tab', '')).toThrow(/not a plain file name/);
  });
});
