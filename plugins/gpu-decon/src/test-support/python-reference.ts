import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { debianPython, type DebianPython } from '@bioimageit/core/testing';

const SCRIPT = fileURLToPath(new URL('./reference.py', import.meta.url));
/** The modules reference.py imports. */
const MODULES = ['numpy', 'scipy', 'skimage', 'tifffile'] as const;
let found: DebianPython | undefined;

/**
 * Why the Python references cannot run here (Debian's python3 missing, or without numpy, scipy,
 * scikit-image or tifffile: the system part `python`), or undefined when they can. Checked once.
 */
export function pythonMissing(): string | undefined {
  found ??= debianPython(MODULES);
  return found.why;
}

/** Debian's python3 that runs the references (the first python3 on PATH may lack their modules); throws when {@link pythonMissing}. */
export function referencePython(): string {
  const why = pythonMissing();
  if (found?.python === undefined) throw new Error(`the Python references cannot run: ${why ?? 'no python3'}`);
  return found.python;
}

/** Runs one command of reference.py and returns its parsed JSON output (or undefined when it prints nothing). */
export function reference<T = unknown>(command: string, args: Record<string, unknown>): T {
  const out = execFileSync(referencePython(), [SCRIPT, command, JSON.stringify(args)], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return (out.trim() === '' ? undefined : JSON.parse(out)) as T;
}

export function readF32(path: string): Float32Array {
  const bytes = readFileSync(path);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

export function readU16(path: string): Uint16Array {
  const bytes = readFileSync(path);
  return new Uint16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

export function writeF32(path: string, data: Float32Array): void {
  writeFileSync(path, data);
}

/** ‖a − b‖₂ / ‖b‖₂. */
export function relativeL2(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`relativeL2: lengths differ (${a.length} vs ${b.length})`);
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < b.length; i++) {
    const d = (a[i] as number) - (b[i] as number);
    diff += d * d;
    norm += (b[i] as number) ** 2;
  }
  return Math.sqrt(diff / norm);
}

export function sum(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i] as number;
  return s;
}
