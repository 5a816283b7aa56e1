import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { NewRawItem, Tags } from '@bioimageit/core';

/** Writes a small source file into `dir` and describes it as a new raw item named `name`. */
export async function sourceItem(dir: string, name: string, tags: Tags = {}, mode: NewRawItem['mode'] = 'copy'): Promise<NewRawItem> {
  await mkdir(dir, { recursive: true });
  const bytes = Buffer.from(`content of ${name} ${Math.random()}`);
  const sourcePath = path.join(dir, `${Math.random().toString(36).slice(2)}-${name}`);
  await writeFile(sourcePath, bytes);
  return {
    sourcePath,
    name,
    mode,
    format: 'imagetiff',
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    metadata: { shape: [1, bytes.length], dtype: 'uint8', axes: 'YX' },
    tags,
    author: 'tester',
    date: '2024-05-06',
  };
}

/** `count` source items `${prefix}_0000.tif`... tagged with `{ index }`. */
export async function sourceItems(dir: string, prefix: string, count: number): Promise<NewRawItem[]> {
  const items: NewRawItem[] = [];
  for (let i = 0; i < count; i++) items.push(await sourceItem(dir, `${prefix}_${String(i).padStart(4, '0')}.tif`, { index: String(i) }));
  return items;
}
