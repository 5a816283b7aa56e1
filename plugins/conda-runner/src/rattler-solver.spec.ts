import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { RunnerError } from '@bioimageit/core';
import { environmentHash, type SolvedEnvironmentSpec } from './environment-spec.js';
import { solveWithRattler } from './rattler-solver.js';

const specOver = (channel: string): SolvedEnvironmentSpec => {
  const body = { specs: ['anything'], channels: [channel], pip: [], platform: 'linux-64' };
  return { kind: 'solved', ...body, hash: environmentHash(body) };
};

describe('solveWithRattler', () => {
  it('gives up on a channel that accepts connections but never answers, naming it', async () => {
    const hanging = http.createServer(() => undefined);
    await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r));
    const channel = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/`;
    try {
      const started = Date.now();
      const error = (await solveWithRattler(specOver(channel), "tool 't'", [], 400).catch((e: unknown) => e)) as RunnerError;
      expect(error).toBeInstanceOf(RunnerError);
      expect(error.message).toContain(`tool 't': conda channel ${channel} cannot be reached`);
      expect(error.details['channel']).toBe(channel);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      hanging.closeAllConnections();
      await new Promise((r) => hanging.close(r));
    }
  });
});
