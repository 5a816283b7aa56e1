import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './program.js';
import { CLI_VERSION } from './version.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bioimageit-program-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    cwd: dir,
    env: { PATH: process.env['PATH'], USER: 'tester' },
    output: { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`), interactive: false },
  });
  return { code, out, err };
}

describe('runCli loads the built-in commands lazily', () => {
  it('prints the version without loading any command', async () => {
    expect(await run(['--version'])).toEqual({ code: 0, out: `${CLI_VERSION}\n`, err: '' });
  });

  it('registers, for each command --help lists (and each alias), the module that defines it', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    const listed = [...help.out.split('Commands:\n')[1]!.matchAll(/^ {2}([a-z]+)(?:\|([a-z]+))?/gm)].flatMap((m) => m.slice(1).filter((n) => n !== undefined));
    expect(listed).toEqual(expect.arrayContaining(['init', 'experiment', 'exp', 'query', 'provenance', 'prov', 'serve', 'help']));
    for (const name of listed.filter((n) => n !== 'help' && n !== 'omero')) {
      const own = await run([name, '--help']);
      expect(own.code, name).toBe(0);
      expect(own.out, name).toMatch(new RegExp(`^Usage: bioimageit (?:[a-z]+\\|)?${name}(?:\\|[a-z]+)? `));
    }
  });

  it('still names every command when the one asked for is unknown', async () => {
    const unknown = await run(['quer']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('(Did you mean query?)');
  });
});
