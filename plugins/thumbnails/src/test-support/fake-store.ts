import { fileURLToPath, pathToFileURL } from 'node:url';
import { StorageError, type DataItem, type ExperimentStore, type FormatMetadata } from '@bioimageit/core';

/** A data item of `format` whose data file is `path`. */
export function itemAt(path: string, name: string, format = 'imagetiff', metadata: FormatMetadata = {}): DataItem {
  return {
    id: `id-${name}`,
    uri: `memory://items/${name}`,
    dataset: 'data',
    name,
    format,
    dataUri: pathToFileURL(path).href,
    author: 'tester',
    date: '2026-01-01',
    tags: {},
    metadata,
    origin: { type: 'raw' },
  };
}

/** The two store methods the thumbnail maker calls, recording the PNGs saved by item id. */
export class FakeThumbnailStore {
  readonly uri = 'memory://fake-experiment';
  readonly saved = new Map<string, Uint8Array>();

  constructor(private readonly known: readonly DataItem[]) {}

  /** The known items of `dataset`, with the thumbnails saved so far. */
  async items(dataset = 'data'): Promise<readonly DataItem[]> {
    return this.known.filter((i) => i.dataset === dataset).map((i) => (this.saved.has(i.id) ? { ...i, thumbnail: `memory://thumbnails/${i.id}.png` } : i));
  }

  async localize(item: DataItem): Promise<string> {
    return fileURLToPath(item.dataUri);
  }

  async saveThumbnail(itemId: string, png: Uint8Array): Promise<string> {
    if (!this.known.some((i) => i.id === itemId)) throw new StorageError('NOT_FOUND', `no item '${itemId}'`);
    this.saved.set(itemId, png);
    return `memory://thumbnails/${itemId}.png`;
  }

  /** This fake, typed as the store the maker expects. */
  asStore(): ExperimentStore {
    return this as unknown as ExperimentStore;
  }
}

/** Width and height from a PNG's IHDR chunk (after the 8-byte signature and the chunk header). */
export function pngSize(png: Uint8Array): { width: number; height: number } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}
