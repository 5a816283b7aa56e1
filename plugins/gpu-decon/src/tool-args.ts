import { isAbsolute, resolve } from 'node:path';
import { ToolError } from '@bioimageit/core';

/**
 * The argv of a gpu-decon tool (`gpu-decon <operation> --name=value ...`) read back into typed
 * values. Every getter throws ToolError BAD_PARAMETER naming the tool and the parameter.
 */
export class ToolArgs {
  private constructor(
    readonly operation: string,
    private readonly values: ReadonlyMap<string, string>,
    private readonly cwd: string,
  ) {}

  /** Parses `argv`; relative paths resolve against `cwd` (the job's staging folder). */
  static parse(argv: readonly string[], cwd: string): ToolArgs {
    const [program, operation, ...rest] = argv;
    if (program !== 'gpu-decon' || operation === undefined) {
      throw new ToolError('BAD_PARAMETER', `not a gpu-decon command: '${argv.slice(0, 2).join(' ')}' (expected 'gpu-decon <operation> --name=value...')`);
    }
    const values = new Map<string, string>();
    for (const arg of rest) {
      const match = /^--([A-Za-z0-9_-]+)=(.*)$/s.exec(arg);
      if (match === null) throw new ToolError('BAD_PARAMETER', `gpu-decon.${operation}: argument '${arg}' is not --name=value`);
      values.set(match[1] as string, match[2] as string);
    }
    return new ToolArgs(operation, values, cwd);
  }

  private bad(name: string, why: string): ToolError {
    return new ToolError('BAD_PARAMETER', `gpu-decon.${this.operation}: parameter '${name}' ${why}`, {
      details: { tool: `gpu-decon.${this.operation}`, parameter: name },
    });
  }

  private raw(name: string): string {
    const value = this.values.get(name);
    if (value === undefined) throw this.bad(name, 'is missing');
    return value;
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  /** An absolute file path. */
  path(name: string): string {
    const value = this.raw(name);
    if (value === '') throw this.bad(name, 'is an empty path');
    return isAbsolute(value) ? value : resolve(this.cwd, value);
  }

  /** A finite number within [min, max]. */
  number(name: string, min = -Infinity, max = Infinity): number {
    const text = this.raw(name);
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value)) throw this.bad(name, `must be a number, got '${text}'`);
    if (value < min || value > max) throw this.bad(name, `must be within [${min}, ${max}], got ${value}`);
    return value;
  }

  /** A positive number (> 0). */
  positive(name: string): number {
    const value = this.number(name);
    if (!(value > 0)) throw this.bad(name, `must be greater than 0, got ${value}`);
    return value;
  }

  integer(name: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    const value = this.number(name, min, max);
    if (!Number.isInteger(value)) throw this.bad(name, `must be an integer, got ${value}`);
    return value;
  }

  bool(name: string): boolean {
    const text = this.raw(name);
    if (text === 'true') return true;
    if (text === 'false') return false;
    throw this.bad(name, `must be true or false, got '${text}'`);
  }

  choice<T extends string>(name: string, allowed: readonly T[]): T {
    const text = this.raw(name);
    if (!(allowed as readonly string[]).includes(text)) throw this.bad(name, `must be one of ${allowed.join(', ')}, got '${text}'`);
    return text as T;
  }
}
