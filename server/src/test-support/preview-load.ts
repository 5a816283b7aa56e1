import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { deflateBomb, stripTiff } from '@bioimageit/core/testing';
import type { ServedFixture } from './fixture-workspace.js';

/** What {@link previewLoad} measured. */
export interface PreviewLoadReport {
  /** Control requests (item pages and image facts) answered, and their latencies in ms, sorted. */
  readonly control: { readonly statuses: Record<number, number>; readonly latencies: number[] };
  /** Bomb previews asked, by answer status. */
  readonly bombs: Record<number, number>;
  /** Heavy (but allowed) previews asked, by answer status. */
  readonly heavy: Record<number, number>;
  readonly seconds: number;
}

/** Items of the load: ids of a decompression bomb and of a heavy image, imported into the fixture's experiment. */
export interface PreviewLoadItems {
  readonly bomb: string;
  readonly heavy: string;
}

/**
 * Imports into the fixture's experiment a 1 MiB deflate bomb (32768 × 32768 zeros, 1 GiB when
 * decoded) and a heavy but allowed image (`heavySide`², uint16 noise, deflate), and returns their ids.
 */
export async function importLoadItems(fixture: ServedFixture, heavySide = 3000): Promise<PreviewLoadItems> {
  const incoming = join(fixture.dir, 'load-incoming');
  await mkdir(incoming, { recursive: true });
  await writeFile(join(incoming, 'bomb.tif'), await deflateBomb(32768, 32768));
  const noise = new Uint16Array(heavySide * heavySide);
  let state = 12345;
  for (let i = 0; i < noise.length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    noise[i] = state >>> 16;
  }
  const raw = new Uint8Array(noise.buffer);
  const rowsPerStrip = 64;
  const strips: Uint8Array[] = [];
  for (let y = 0; y < heavySide; y += rowsPerStrip) {
    strips.push(deflateSync(raw.subarray(y * heavySide * 2, Math.min(heavySide, y + rowsPerStrip) * heavySide * 2), { level: 1 }));
  }
  await writeFile(join(incoming, 'heavy.tif'), stripTiff([{ width: heavySide, height: heavySide, bitsPerSample: 16, compression: 8, rowsPerStrip, strips }]));
  const store = await fixture.kernel.openExperiment(join(fixture.dir, 'exp100'));
  const report = await fixture.kernel.importData(store, incoming, {});
  const id = (name: string) => {
    const item = report.imported.find((i) => i.name === name);
    if (item === undefined) throw new Error(`the load item ${name} was not imported: ${JSON.stringify(report.failed)}`);
    return item.id;
  };
  return { bomb: id('bomb.tif'), heavy: id('heavy.tif') };
}

/**
 * A bounded load on a served fixture: `clients` control clients each send `requests` requests one
 * after another (a page of items, then the facts of an image, alternately) while `attackers`
 * clients preview the bomb and the heavy image over and over until the control clients are done.
 * With `attackers: 0` it measures the same control load on a quiet server (the baseline).
 */
export async function previewLoad(
  fixture: ServedFixture,
  items: PreviewLoadItems,
  options: { clients: number; requests: number; attackers: number },
): Promise<PreviewLoadReport> {
  const base = `${fixture.base}/api/experiments/${fixture.experimentId}`;
  const controlStatuses: Record<number, number> = {};
  const latencies: number[] = [];
  const bombs: Record<number, number> = {};
  const heavy: Record<number, number> = {};
  let done = false;
  const count = (into: Record<number, number>, status: number) => void (into[status] = (into[status] ?? 0) + 1);
  const started = performance.now();
  const attack = async (n: number) => {
    for (let i = 0; !done; i++) {
      const target = (i + n) % 2 === 0 ? { id: items.bomb, into: bombs } : { id: items.heavy, into: heavy };
      const response = await fetch(`${base}/items/${target.id}/preview.png?projection=max&size=256`);
      await response.arrayBuffer();
      count(target.into, response.status);
    }
  };
  const control = async (n: number) => {
    for (let i = 0; i < options.requests; i++) {
      const url = (i + n) % 2 === 0 ? `${base}/items?limit=50&offset=${(i * 7) % 50}` : `${base}/items/${items.heavy}/image`;
      const t0 = performance.now();
      const response = await fetch(url);
      await response.arrayBuffer();
      latencies.push(performance.now() - t0);
      count(controlStatuses, response.status);
    }
  };
  const attackers = Array.from({ length: options.attackers }, (_, n) => attack(n));
  await Promise.all(Array.from({ length: options.clients }, (_, n) => control(n)));
  done = true;
  await Promise.all(attackers);
  latencies.sort((a, b) => a - b);
  return { control: { statuses: controlStatuses, latencies }, bombs, heavy, seconds: (performance.now() - started) / 1000 };
}

/** The `q`-quantile (0..1) of sorted values. */
export function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
}
