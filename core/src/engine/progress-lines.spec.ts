import { describe, expect, it } from 'vitest';
import { parseProgressLine, progressLineReader, type ProgressReport } from './progress-lines.js';

describe('progress lines', () => {
  it('reads `progress: 42%` and a bare `42%`, and nothing else', () => {
    expect(parseProgressLine('progress: 42%')).toEqual({ fraction: 0.42, message: 'progress: 42%' });
    expect(parseProgressLine('  Progress 7.5 % ')).toEqual({ fraction: 0.075, message: 'Progress 7.5 %' });
    expect(parseProgressLine('100%')?.fraction).toBe(1);
    expect(parseProgressLine('250%')?.fraction).toBe(1);
    for (const line of ['done 42% of it', 'progress: x%', '42', '', 'ratio 42%%']) expect(parseProgressLine(line)).toBeUndefined();
  });

  it('splits chunks into lines per stream, across chunk boundaries and carriage returns', () => {
    const seen: ProgressReport[] = [];
    const feed = progressLineReader((r) => seen.push(r));
    const enc = (s: string) => new TextEncoder().encode(s);
    feed('stdout', enc('starting\nprogr'));
    feed('stderr', enc('10%\r20%\r'));
    feed('stdout', enc('ess: 50%\n'));
    feed('stdout', enc('75%'));
    expect(seen.map((r) => r.fraction)).toEqual([0.1, 0.2, 0.5]);
  });
});
