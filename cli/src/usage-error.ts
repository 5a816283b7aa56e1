/** A command-line misuse detected by a command (printed as one line, exit code 2). */
export class UsageError extends Error {}

/** Parses `KEY=VALUE` arguments into tags; a missing `=` is a UsageError naming the argument. */
export function parseAssignments(pairs: readonly string[]): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`expected KEY=VALUE, got '${pair}'`);
    tags[pair.slice(0, eq).trim()] = pair.slice(eq + 1);
  }
  return tags;
}
