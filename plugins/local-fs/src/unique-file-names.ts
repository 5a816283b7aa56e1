import type { IndexedDataset } from './experiment-index.js';
import { FolderUris } from './file-uris.js';

/** File names given to one new item: its data file, and its metadata file `<stem>.md.json`. */
export interface ItemFileNames {
  readonly name: string;
  readonly stem: string;
  readonly metadataFile: string;
}

/** Splits a file name as Python's os.path.splitext does: `a.ome.tif` → `a.ome` + `.tif`; `.hidden` has no extension. */
export function splitExtension(name: string): { stem: string; extension: string } {
  const dot = name.lastIndexOf('.');
  if (dot <= 0 || /^\.+$/.test(name.slice(0, dot))) return { stem: name, extension: '' };
  return { stem: name.slice(0, dot), extension: name.slice(dot) };
}

const COMPOUND_EXTENSION = /\.(ome\.tiff?|ome\.btf|ome\.zarr|tar\.gz|nii\.gz)$/i;

/** `name` with `_<n>` before its extension, keeping compound ones whole: `a.ome.tif` → `a_1.ome.tif`. */
export function withSuffix(name: string, n: number): string {
  const compound = COMPOUND_EXTENSION.exec(name);
  const extension = compound !== null && compound.index > 0 ? compound[0] : splitExtension(name).extension;
  return `${name.slice(0, name.length - extension.length)}_${n}${extension}`;
}

/**
 * Hands out item file names unique within one dataset folder. A name is free when neither it
 * nor its `<stem>.md.json` is used (case-insensitively, for macOS and Windows); a taken `a.tif`
 * becomes `a_1.tif`, then `a_2.tif`... (`a.ome.tif` becomes `a_1.ome.tif`, so its format still
 * shows). The stem is v1's (`os.path.splitext`). Only files the dataset lists count as used:
 * orphans of a dead writer are overwritten.
 */
export class UniqueFileNames {
  private readonly taken = new Set<string>();
  private readonly nextSuffix = new Map<string, number>();

  constructor(occupied: Iterable<string>) {
    for (const name of occupied) this.taken.add(name.toLowerCase());
  }

  /** The names used by the entries of `dataset`, plus its own file name and `reserved` ones (run files, `logs`). */
  static forDataset(dataset: IndexedDataset | undefined, datasetFileName: string, reserved: Iterable<string> = []): UniqueFileNames {
    const names = new UniqueFileNames([datasetFileName, ...reserved]);
    const size = dataset?.size ?? 0;
    for (let row = 0; row < size; row++) {
      const indexed = dataset as IndexedDataset;
      names.taken.add(indexed.urlAt(row).toLowerCase());
      const dataUrl = indexed.dataUrlAt(row);
      if (dataUrl !== undefined && FolderUris.isPlainChild(dataUrl)) names.taken.add(dataUrl.toLowerCase());
    }
    return names;
  }

  /** Reserves and returns the names for an item called `name`. */
  allocate(name: string): ItemFileNames {
    for (let i = this.nextSuffix.get(name) ?? 0; ; i++) {
      const candidate = i === 0 ? name : withSuffix(name, i);
      const stem = splitExtension(candidate).stem;
      const metadataFile = `${stem}.md.json`;
      if (this.taken.has(candidate.toLowerCase()) || this.taken.has(metadataFile.toLowerCase())) continue;
      this.taken.add(candidate.toLowerCase());
      this.taken.add(metadataFile.toLowerCase());
      this.nextSuffix.set(name, i + 1);
      return { name: candidate, stem, metadataFile };
    }
  }
}
