import { hexColor } from './channel-color.js';

/** ImageJ's IJMetadata entry type of a lookup table (`luts`). */
const LUTS = 0x6c757473;
const MAGIC_BIG = 0x494a494a; // 'IJIJ'
const MAGIC_LITTLE = 0x4a494a49; // 'JIJI'

/**
 * The colour of each lookup table in an ImageJ IJMetadata tag (50839), in order: the last entry of
 * the table (`#rrggbb`), which is the colour ImageJ shows a channel in. `byteCounts` is the
 * IJMetadataByteCounts tag (50838): the header's size, then one size per entry. `data` may be a
 * prefix of the tag's bytes; entries that do not lie wholly inside it are skipped. Returns an
 * empty list for anything that is not IJMetadata (bad magic, a header that does not add up).
 */
export function imageJLutColors(byteCounts: readonly number[], data: Uint8Array): string[] {
  const headerSize = byteCounts[0] ?? 0;
  if (headerSize < 4 || headerSize > data.length || (headerSize - 4) % 8 !== 0) return [];
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const magic = view.getUint32(0, false);
  if (magic !== MAGIC_BIG && magic !== MAGIC_LITTLE) return [];
  const littleEndian = magic === MAGIC_LITTLE;
  const colors: string[] = [];
  let entry = 1;
  let at = headerSize;
  for (let h = 4; h + 8 <= headerSize; h += 8) {
    const type = view.getUint32(h, littleEndian);
    const count = view.getUint32(h + 4, littleEndian);
    for (let k = 0; k < count && entry < byteCounts.length; k++, entry++) {
      const size = byteCounts[entry]!;
      if (type === LUTS && size >= 3 && size % 3 === 0 && at + size <= data.length) {
        const n = size / 3;
        colors.push(hexColor(data[at + n - 1]!, data[at + 2 * n - 1]!, data[at + 3 * n - 1]!));
      }
      at += size;
      if (at > data.length) return colors;
    }
  }
  return colors;
}
