import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, isRetryableNetworkError, isRetryableStatus, retryDelay } from './retry-policy.js';

describe('retry policy', () => {
  it('retries gateway and server failures only', () => {
    expect([500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 405, 409].some(isRetryableStatus)).toBe(false);
  });

  it('retries a write only when it never reached the server', () => {
    expect(isRetryableNetworkError('ECONNREFUSED', false)).toBe(true);
    expect(isRetryableNetworkError('ECONNRESET', false)).toBe(false);
    expect(isRetryableNetworkError('ECONNRESET', true)).toBe(true);
    expect(isRetryableNetworkError(undefined, false)).toBe(false);
  });

  it('backs off exponentially with jitter, capped', () => {
    expect(retryDelay(DEFAULT_RETRY_POLICY, 1, () => 0.5)).toBe(250);
    expect(retryDelay(DEFAULT_RETRY_POLICY, 3, () => 0.5)).toBe(1000);
    expect(retryDelay(DEFAULT_RETRY_POLICY, 10, () => 1)).toBe(6250);
    expect(retryDelay(DEFAULT_RETRY_POLICY, 2, () => 0)).toBe(375);
  });
});
