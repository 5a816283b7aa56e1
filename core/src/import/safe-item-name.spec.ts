import { describe, expect, it } from 'vitest';
import { MAX_SAFE_NAME_BYTES, safeItemName } from './safe-item-name.js';

describe('safeItemName', () => {
  it('keeps ordinary names, unicode included', () => {
    expect(safeItemName('cell_01.ome.tif')).toEqual({ name: 'cell_01.ome.tif', changed: false });
    expect(safeItemName('Zelle µ-3 (copy).tif')).toEqual({ name: 'Zelle µ-3 (copy).tif', changed: false });
  });

  it('maps control characters, separators and dot runs to _', () => {
    expect(safeItemName('scan..2.tif').name).toBe('scan_2.tif');
    expect(safeItemName('bell\u0007ring.tif').name).toBe('bell_ring.tif');
    expect(safeItemName('del\u007f.tif').name).toBe('del_.tif');
    expect(safeItemName('back\\slash.tif').name).toBe('back_slash.tif');
    expect(safeItemName('a/b.tif').name).toBe('a_b.tif');
    expect(safeItemName('...').name).toBe('_');
    expect(safeItemName('.').name).toBe('unnamed');
    expect(safeItemName('   ').name).toBe('unnamed');
    expect(safeItemName('scan..2.tif').changed).toBe(true);
  });

  it('shortens long names within the byte limit, keeping the extension and telling names with one prefix apart', () => {
    const a = safeItemName(`${'é'.repeat(150)}_a.ome.tif`);
    const b = safeItemName(`${'é'.repeat(150)}_b.ome.tif`);
    expect(Buffer.byteLength(a.name)).toBeLessThanOrEqual(MAX_SAFE_NAME_BYTES);
    expect(a.name.endsWith('.ome.tif')).toBe(true);
    expect(a.name).toMatch(/^é+~[0-9a-f]{8}\.ome\.tif$/);
    expect(a.name).not.toBe(b.name);
    expect(safeItemName(`${'é'.repeat(150)}_a.ome.tif`).name).toBe(a.name);
    expect(Buffer.byteLength(safeItemName('x'.repeat(400)).name)).toBeLessThanOrEqual(MAX_SAFE_NAME_BYTES);
  });
});
