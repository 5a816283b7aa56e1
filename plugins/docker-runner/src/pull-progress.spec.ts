import { describe, expect, it } from 'vitest';
import { formatPullProgress, PullProgressTracker, stderrPullProgress, type PullProgress } from './pull-progress.js';

describe('PullProgressTracker', () => {
  it('weighs layers by their bytes and counts finished layers', () => {
    const t = new PullProgressTracker('tools/blur:1');
    t.apply({ status: 'Pulling from tools/blur', id: '1' });
    t.apply({ status: 'Pulling fs layer', id: 'a' });
    t.apply({ status: 'Pulling fs layer', id: 'b' });
    t.apply({ status: 'Downloading', id: 'a', progressDetail: { current: 50, total: 100 } });
    const p = t.apply({ status: 'Downloading', id: 'b', progressDetail: { current: 0, total: 300 } });
    expect(p).toMatchObject({ fraction: 50 / 400, layers: 2, layersDone: 0, status: 'Downloading b', done: false });
    t.apply({ status: 'Download complete', id: 'a' });
    const after = t.apply({ status: 'Pull complete', id: 'a' });
    expect(after).toMatchObject({ fraction: 100 / 400, layersDone: 1 });
    expect(t.finished()).toMatchObject({ fraction: 1, layersDone: 2, layers: 2, done: true });
  });

  it('counts layers that already exist as done and falls back to layer counts before sizes are known', () => {
    const t = new PullProgressTracker('x:1');
    t.apply({ status: 'Already exists', id: 'a' });
    expect(t.apply({ status: 'Pulling fs layer', id: 'b' })).toMatchObject({ fraction: 0.5, layersDone: 1, layers: 2 });
  });

  it('keeps image-wide statuses out of the layer count', () => {
    const t = new PullProgressTracker('x:1');
    const p = t.apply({ status: 'Digest: sha256:abc' });
    expect(p).toMatchObject({ layers: 0, fraction: 0, status: 'Digest: sha256:abc' });
  });
});

describe('pull progress display', () => {
  const progress = (fraction: number, done = false): PullProgress => ({ image: 'x:1', fraction, layersDone: done ? 2 : 1, layers: 2, status: '', done });

  it('draws a bar with the percentage and layer counts', () => {
    expect(formatPullProgress(progress(0.5), 10)).toBe('pulling x:1 [#####-----]  50% 1/2 layers');
  });

  it('writes one line per quarter and one at the end when stderr is not a terminal', () => {
    const lines: string[] = [];
    const stream = { isTTY: false, write: (s: string) => lines.push(s) } as unknown as NodeJS.WriteStream;
    const show = stderrPullProgress(stream);
    for (const f of [0, 0.1, 0.2, 0.3, 0.6, 0.99, 1]) show(progress(f));
    show(progress(1, true));
    expect(lines.map((l) => l.match(/\d+%/)?.[0])).toEqual(['0%', '30%', '60%', '99%', '100%']);
    expect(lines.every((l) => l.endsWith('\n'))).toBe(true);
  });

  it('redraws one line in place on a terminal', () => {
    const out: string[] = [];
    const stream = { isTTY: true, write: (s: string) => out.push(s) } as unknown as NodeJS.WriteStream;
    const show = stderrPullProgress(stream);
    show(progress(0.25));
    show(progress(1, true));
    expect(out[0]?.startsWith('\r')).toBe(true);
    expect(out[1]?.endsWith('\n')).toBe(true);
  });
});
