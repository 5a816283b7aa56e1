/** A command-line misuse detected by a command (printed as one line, exit code 2). */
export class UsageError extends Error {}

/** Parses `KEY=VALUE` arguments into own properties (`__proto__` included, so validation sees every key); a missing `=` is a UsageError naming the argument. */
export function parseAssignments(pairs: readonly string[]): Record<string, string> {
  const entries = pairs.map((pair): [string, string] => {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`expected KEY=VALUE, got '${pair}'`);
    return [pair.slice(0, eq).trim(), pair.slice(eq + 1)];
  });
  return Object.fromEntries(entries);
}
