import { open, stat } from 'node:fs/promises';
import { hasControlCharacter } from '../util/control-characters.js';

/** How much of the end of a job's stderr is searched for its error line. */
const TAIL_BYTES = 16 * 1024;
/** Longest line kept (a tool may print a whole array on one line). */
const MAX_LINE = 300;

/** The size of a log file now (0 when it does not exist yet): where a job's own output will start. */
export async function logSize(path: string): Promise<number> {
  return stat(path).then(
    (s) => s.size,
    () => 0,
  );
}

/**
 * The line that says why a tool failed, from what it wrote to stderr after byte `from` (its own
 * part of a log its worker's jobs share): the last line starting with `error`, `fatal`, or a
 * Python exception (`SomethingError: …`), else the last non-empty line; searched in the last
 * 16 KiB only, cut to 300 characters, control characters dropped. Undefined when the tool wrote
 * nothing there or the log cannot be read.
 */
export async function lastErrorLine(path: string, from: number): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
    const size = (await handle.stat()).size;
    const start = Math.max(from, size - TAIL_BYTES);
    if (size <= start) return undefined;
    const buffer = new Uint8Array(size - start);
    await handle.read(buffer, 0, buffer.length, start);
    const lines = new TextDecoder('utf-8')
      .decode(buffer)
      .split(/\r?\n/)
      .map((line) => clean(line))
      .filter((line) => line !== '');
    const said = [...lines].reverse().find((line) => /^(error|fatal)\b|^[A-Za-z_.]*(Error|Exception): /i.test(line));
    return said ?? lines[lines.length - 1];
  } catch {
    return undefined;
  } finally {
    await handle?.close();
  }
}

function clean(line: string): string {
  let text = line.trim();
  if (hasControlCharacter(text, { del: true })) text = Array.from(text, (c) => (hasControlCharacter(c, { del: true }) ? ' ' : c)).join('');
  return text.length > MAX_LINE ? `${text.slice(0, MAX_LINE - 1)}…` : text;
}
