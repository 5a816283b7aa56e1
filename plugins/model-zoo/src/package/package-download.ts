import { ToolError } from '@bioimageit/core';

/** Downloads over HTTP(S) with an idle timeout and retries, failing with an error naming the URL. */

/** Options of {@link download}. */
export interface DownloadOptions {
  /** The fetch implementation (default: the global one). */
  readonly fetch?: typeof fetch;
  /** Milliseconds without a response or without a body chunk before an attempt fails (default 30 000). */
  readonly timeoutMs?: number;
  /** Further attempts after a network failure, a timeout or an HTTP 408/429/5xx answer (default 2). */
  readonly retries?: number;
}

const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

function reason(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no answer within ${String(timeoutMs)} ms`;
  const cause = error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (typeof cause?.code === 'string') {
    const words: Record<string, string> = {
      ECONNREFUSED: 'connection refused',
      ECONNRESET: 'connection reset',
      ENOTFOUND: 'host not found',
      EAI_AGAIN: 'host lookup failed',
      ETIMEDOUT: 'connection timed out',
      EHOSTUNREACH: 'host unreachable',
    };
    return `${words[cause.code] ?? String(cause.message ?? 'network error')} (${cause.code})`;
  }
  return error instanceof Error ? error.message : String(error);
}

async function readBody(response: Response, controller: AbortController, arm: () => void): Promise<Uint8Array> {
  if (response.body === null) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    arm();
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.byteLength;
  }
  if (controller.signal.aborted) throw controller.signal.reason as Error;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The body of `url`. Network failures, idle timeouts and HTTP 408/429/5xx answers are retried with
 * a short backoff.
 *
 * @throws ToolError `SOURCE_UNAVAILABLE` `"cannot download URL: why (N attempts)"` (or `HTTP 404
 *   Not Found`), `details` `{ url, status?, attempts }`.
 */
export async function download(url: string, options: DownloadOptions = {}): Promise<Uint8Array> {
  const fetchFn = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const attempts = 1 + Math.max(0, options.retries ?? 2);
  let last: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => controller.abort(new DOMException(`no answer within ${String(timeoutMs)} ms`, 'TimeoutError')), timeoutMs);
    };
    try {
      arm();
      const response = await fetchFn(url, { signal: controller.signal, redirect: 'follow' });
      if (!response.ok) {
        const status = `HTTP ${String(response.status)}${response.statusText === '' ? '' : ` ${response.statusText}`}`;
        await response.body?.cancel().catch(() => undefined);
        if (!RETRYABLE_STATUS.has(response.status) || attempt === attempts) {
          throw new ToolError('SOURCE_UNAVAILABLE', `cannot download ${url}: ${status}`, { details: { url, status: response.status, attempts: attempt } });
        }
        last = new Error(status);
      } else {
        return await readBody(response, controller, arm);
      }
    } catch (error) {
      if (error instanceof ToolError) throw error;
      last = error;
    } finally {
      clearTimeout(timer);
    }
    if (attempt < attempts) await sleep(200 * 2 ** (attempt - 1));
  }
  throw new ToolError('SOURCE_UNAVAILABLE', `cannot download ${url}: ${reason(last, timeoutMs)} (${String(attempts)} attempts)`, {
    cause: last,
    details: { url, attempts },
  });
}
