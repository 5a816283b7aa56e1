import { describe, expect, it } from 'vitest';
import { hsvToRgb, trackColor } from './track-colors.js';

describe('trackColor', () => {
  it('is deterministic and within 0–255', () => {
    for (let id = -5; id < 200; id++) {
      const c = trackColor(id);
      expect(trackColor(id)).toEqual(c);
      for (const v of c) {
        expect(Number.isInteger(v)).toBe(true);
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(255);
      }
    }
  });

  it('gives neighbouring ids clearly different colours', () => {
    const colors = Array.from({ length: 12 }, (_, id) => trackColor(id));
    for (let a = 0; a < colors.length; a++) {
      for (let b = a + 1; b < colors.length; b++) {
        const [p, q] = [colors[a]!, colors[b]!];
        expect(Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]), `tracks ${a} and ${b}`).toBeGreaterThan(40);
      }
    }
  });

  it('is saturated: never grey', () => {
    for (let id = 0; id < 100; id++) {
      const c = trackColor(id);
      expect(Math.max(...c) - Math.min(...c)).toBeGreaterThan(120);
    }
  });
});

describe('hsvToRgb', () => {
  it('converts the primaries and grey', () => {
    expect(hsvToRgb(0, 1, 1)).toEqual([255, 0, 0]);
    expect(hsvToRgb(120, 1, 1)).toEqual([0, 255, 0]);
    expect(hsvToRgb(240, 1, 1)).toEqual([0, 0, 255]);
    expect(hsvToRgb(60, 1, 1)).toEqual([255, 255, 0]);
    expect(hsvToRgb(-60, 1, 1)).toEqual([255, 0, 255]);
    expect(hsvToRgb(200, 0, 0.5)).toEqual([128, 128, 128]);
  });
});
