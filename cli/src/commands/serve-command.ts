import type { Kernel } from '@bioimageit/core';
import type { Command } from 'commander';
import type { CliContext, GlobalOptions } from '../context.js';
import { UsageError } from '../usage-error.js';

/** What the command uses of @bioimageit/server (see server/src/serve-command-action.ts). */
interface ServerPackage {
  serveCommandAction(
    flags: { host: string; port: string; token?: string; experiment?: readonly string[]; importRoot?: readonly string[] },
    host: { kernel: Kernel; cwd: string; env: NodeJS.ProcessEnv; out(text: string): void; stopped: Promise<unknown> },
  ): Promise<unknown>;
}

// A variable specifier: the CLI builds without the server package built, and loads it only when
// `serve` runs, so the rest of the CLI works without it.
const specifier = '@bioimageit/server';

const collect = (value: string, previous: string[]) => [...previous, value];

/**
 * `bioimageit serve [--host 127.0.0.1] [--port 8765] [--token T] [-e EXP...] [--import-root NAME=PATH...]`: the REST API and
 * browser GUI of @bioimageit/server on the workspace, until Ctrl-C (SIGINT) or SIGTERM.
 */
export function registerServeCommand(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('serve the REST API and browser GUI of the workspace (default http://127.0.0.1:8765/)')
    .option('--host <address>', 'interface to listen on; any address but loopback requires a token', '127.0.0.1')
    .option('-p, --port <n>', 'port (0: any free port)', '8765')
    .option('--token <token>', 'token API requests must carry (default: BIOIMAGEIT_SERVE_TOKEN; none on loopback, a random one elsewhere)')
    .option('-e, --experiment <ref...>', 'also serve these experiments (name, path or URI)')
    .option(
      '--import-root <name=path>',
      'a server folder API clients may import from, by name (repeatable; also the workspace setting import.roots)',
      collect,
      [],
    )
    .action(async (flags: { host: string; port: string; token?: string; experiment?: string[]; importRoot: string[] }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      if (!/^\d{1,5}$/.test(flags.port) || Number(flags.port) > 65535) throw new UsageError(`--port must be a number 0..65535 (got '${flags.port}')`);
      const server = await (ctx.importModule(specifier) as Promise<ServerPackage>).catch((error: unknown) => {
        throw new UsageError(`'serve' needs the @bioimageit/server package (npm install @bioimageit/server): ${(error as Error).message.split('\n')[0]}`);
      });
      const kernel = await ctx.getKernel(g);
      let stop!: () => void;
      const stopped = new Promise<void>((resolve) => (stop = resolve));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        await server.serveCommandAction(flags, { kernel, cwd: ctx.cwd, env: ctx.env, out: (text) => ctx.output.out(text), stopped });
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
}
