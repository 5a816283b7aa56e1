/** When and how long the client waits before trying a request again. */
export interface RetryPolicy {
  /** Tries after the first (default 4). */
  readonly retries: number;
  /** First delay in ms, doubled each time with ±25 % jitter (default 250). */
  readonly baseDelayMs: number;
  /** Longest single delay (default 5 s). */
  readonly maxDelayMs: number;
}

/** 4 retries after 250 ms, 500 ms, 1 s, 2 s (± jitter). */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 4, baseDelayMs: 250, maxDelayMs: 5_000 };

/** Network error codes after which the request may or may not have reached the server. */
const AMBIGUOUS_NETWORK = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ECONNABORTED', 'ERR_SOCKET_CONNECTION_TIMEOUT', 'EAI_AGAIN']);
/** Network error codes after which the request surely never reached the server. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Statuses of a gateway or server that failed before or while answering: worth a retry when idempotent. */
export function isRetryableStatus(status: number): boolean {
  return status === 500 || status === 502 || status === 503 || status === 504;
}

/**
 * Whether a network failure may be retried: idempotent requests after any transient failure, other
 * writes only when the connection was never made (the write cannot have happened).
 */
export function isRetryableNetworkError(code: string | undefined, idempotent: boolean): boolean {
  if (code === undefined) return idempotent;
  if (NEVER_SENT.has(code)) return true;
  return idempotent && (AMBIGUOUS_NETWORK.has(code) || code === 'ERR_BAD_RESPONSE' || code === 'ECONNRESET');
}

/** Delay before try number `attempt` (1 = first retry). `random` is injectable for tests. */
export function retryDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(exp * (0.75 + random() * 0.5));
}
