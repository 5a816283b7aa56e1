import { describe, expect, it } from 'vitest';
import { summarizeSkips, type SystemPartCatalog } from './skip-summary.js';

const catalog: SystemPartCatalog = {
  parts: {
    docker: { label: 'Docker Engine', apt: ['docker.io', 'busybox-static'] },
    gpu: { label: 'an NVIDIA GPU', how: 'a machine with an NVIDIA GPU' },
  },
};

describe('summarizeSkips', () => {
  it('says nothing was skipped when the log is empty', () => {
    expect(summarizeSkips('', catalog)).toMatch(/nothing skipped for want of a system part/);
  });

  it('names each part once with its reasons, the command that brings it and the files it skipped (a file logged twice counts once)', () => {
    const log = [
      { part: 'gpu', why: 'no CUDA device', suite: 'plugins/gpu-decon/src/cuda.spec.ts' },
      { part: 'docker', why: 'dockerd not found', suite: 'b.spec.ts' },
      { part: 'docker', why: 'dockerd not found', suite: 'a.spec.ts' },
      { part: 'docker', why: 'dockerd not found', suite: 'a.spec.ts' },
      { part: 'mystery', why: 'gone', suite: 'c.spec.ts' },
    ]
      .map((l) => JSON.stringify(l))
      .join('\n');
    const text = summarizeSkips(log, catalog);
    expect(text.split('\n')[0]).toMatch(/^Skipped for want of a system part: 4 test file\(s\)\. `npm run setup:system` installs/);
    expect(text).toContain(
      '- docker: Docker Engine\n    why: dockerd not found\n    enable: npm run setup:system -- docker   (apt-get install docker.io busybox-static)\n    skipped: a.spec.ts, b.spec.ts',
    );
    expect(text).toContain('- gpu: an NVIDIA GPU\n    why: no CUDA device\n    enable: a machine with an NVIDIA GPU');
    expect(text).toContain('- mystery: mystery\n    why: gone\n    enable: no known set-up command');
    expect(text.indexOf('- docker')).toBeLessThan(text.indexOf('- gpu'));
  });
});
