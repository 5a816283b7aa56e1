import type { CliContext } from '../context.js';
import type { RunCli } from '../run-cli-options.js';

/** Variables that would point a demo's commands away from the demo workspace. */
const IGNORED_ENV = ['BIOIMAGEIT_WORKSPACE', 'BIOIMAGEIT_EXPERIMENTS', 'BIOIMAGEIT_TOOL_DIRS'];

/** Quotes an argument the way a user would type it in a POSIX shell. */
export function shellQuote(arg: string): string {
  if (arg !== '' && !/[\s'"()<>|&*;$\\`!?{}[\]~#]/.test(arg)) return arg;
  return arg.includes("'") ? `"${arg.replace(/(["\\$`])/g, '\\$1')}"` : `'${arg}'`;
}

/** A demo step failed: its command and exit code. */
class DemoStepFailed extends Error {
  constructor(
    readonly command: string,
    readonly code: number,
  ) {
    super(`demo stopped: '${command}' failed with exit code ${code} (see the messages above)`);
  }
}

/** Runs one `bioimageit` command of a demo (argv without the program name). */
export type DemoStep = (argv: string[]) => Promise<void>;

/**
 * Runs a demo's `body` with a `step` function that prints each `bioimageit` command (as a user
 * would type it) and runs it through `runCli` in the workspace `dir`, with the caller's
 * environment less the variables that would point elsewhere. A failing step stops the demo: its
 * error is printed and its exit code becomes the command's; other errors are thrown.
 */
export async function runDemoSteps(ctx: CliContext, dir: string, runCli: RunCli, body: (step: DemoStep) => Promise<void>): Promise<void> {
  const env = Object.fromEntries(Object.entries(ctx.env).filter(([name]) => !IGNORED_ENV.includes(name)));
  const step: DemoStep = async (argv) => {
    const command = `bioimageit ${argv.map(shellQuote).join(' ')}`;
    ctx.output.out(`\n$ ${command}`);
    const code = await runCli(['--workspace', dir, ...argv], { output: ctx.output, cwd: dir, env });
    if (code !== 0) throw new DemoStepFailed(command, code);
  };
  try {
    await body(step);
  } catch (error) {
    if (!(error instanceof DemoStepFailed)) throw error;
    ctx.output.err(`error: ${error.message}`);
    ctx.exitCode = error.code;
  }
}
