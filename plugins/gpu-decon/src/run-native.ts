import { homedir } from 'node:os';
import { join } from 'node:path';
import { RunnerError, ToolError } from '@bioimageit/core';
import type { NativeHandle } from './native-addon.js';

/**
 * Awaits an addon call, cancelling it when `signal` aborts. The addon's errors become area errors:
 * `CANCELLED` → RunnerError CANCELLED, `INVALID` (and the TypeError/RangeError of bad arguments)
 * → ToolError BAD_PARAMETER, anything else stays an Error whose message names `what`.
 */
export async function runNative<T>(start: () => NativeHandle<T>, what: string, signal?: AbortSignal): Promise<T> {
  if (signal?.aborted) throw new RunnerError('CANCELLED', `${what} was cancelled before it started`);
  let handle: NativeHandle<T>;
  try {
    handle = start();
  } catch (error) {
    throw translate(error, what);
  }
  const abort = (): void => handle.cancel();
  signal?.addEventListener('abort', abort, { once: true });
  try {
    return await handle.promise;
  } catch (error) {
    throw translate(error, what);
  } finally {
    signal?.removeEventListener('abort', abort);
  }
}

function translate(error: unknown, what: string): Error {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'CANCELLED') return new RunnerError('CANCELLED', `${what} was cancelled`, { cause: error });
  if (code === 'INVALID' || error instanceof TypeError || error instanceof RangeError) {
    return new ToolError('BAD_PARAMETER', `${what}: ${message}`, { cause: error });
  }
  return new Error(`${what} failed: ${message}`, { cause: error });
}

/**
 * Folder of the FFTW wisdom file: `BIOIMAGEIT_FFTW_WISDOM`, else `$XDG_CACHE_HOME/bioimageit/fftw`,
 * else `~/.cache/bioimageit/fftw`. Planning a shape is paid once per machine, not once per call.
 */
export function defaultWisdomDir(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env['BIOIMAGEIT_FFTW_WISDOM'];
  if (explicit !== undefined && explicit !== '') return explicit;
  const cache = env['XDG_CACHE_HOME'];
  return join(cache !== undefined && cache !== '' ? cache : join(homedir(), '.cache'), 'bioimageit', 'fftw');
}
