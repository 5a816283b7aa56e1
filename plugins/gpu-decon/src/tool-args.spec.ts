import { describe, expect, it } from 'vitest';
import { ToolArgs } from './tool-args.js';

describe('ToolArgs', () => {
  const args = ToolArgs.parse(
    ['gpu-decon', 'deskew', '--stack=in/raw.tif', '--dz=0.4', '--n=3', '--flag=true', '--mode=wrap', '--text=a=b c', '--empty='],
    '/staging',
  );

  it('reads paths (relative to the staging folder), numbers, integers, booleans and choices', () => {
    expect(args.operation).toBe('deskew');
    expect(args.path('stack')).toBe('/staging/in/raw.tif');
    expect(args.number('dz', 0, 1)).toBe(0.4);
    expect(args.positive('dz')).toBe(0.4);
    expect(args.integer('n', 0, 10)).toBe(3);
    expect(args.bool('flag')).toBe(true);
    expect(args.choice('mode', ['padded', 'wrap'])).toBe('wrap');
    expect(args.has('text')).toBe(true);
    expect(args.has('nope')).toBe(false);
  });

  it('names the tool and the parameter in every error', () => {
    expect(() => args.number('stack')).toThrow("gpu-decon.deskew: parameter 'stack' must be a number, got 'in/raw.tif'");
    expect(() => args.number('dz', 1, 2)).toThrow("parameter 'dz' must be within [1, 2], got 0.4");
    expect(() => args.integer('dz')).toThrow("parameter 'dz' must be an integer, got 0.4");
    expect(() => args.bool('n')).toThrow("parameter 'n' must be true or false, got '3'");
    expect(() => args.choice('mode', ['padded'])).toThrow("parameter 'mode' must be one of padded, got 'wrap'");
    expect(() => args.path('empty')).toThrow("parameter 'empty' is an empty path");
    expect(() => args.number('empty')).toThrow("must be a number, got ''");
    expect(() => args.positive('missing')).toThrow("parameter 'missing' is missing");
    expect(() => ToolArgs.parse(['gpu-decon', 'deskew', '--n=1', '-x'], '/')).toThrow("argument '-x' is not --name=value");
    expect(() => ToolArgs.parse(['python', 'x.py'], '/')).toThrow(/not a gpu-decon command: 'python x.py'/);
    expect(() => ToolArgs.parse(['gpu-decon', 'deskew', '--dz=-1'], '/').positive('dz')).toThrow('must be greater than 0, got -1');
  });
});
