/**
 * Quotes one value for a POSIX shell so that it reaches the command as exactly one literal
 * argument: wrapped in single quotes, each embedded `'` written as `'\''`. Inside single quotes no
 * character is special (no expansion, substitution, globbing or escapes), newlines included.
 *
 * Job scripts are the one place a shell stands between BioImageIT and a tool (SLURM runs batch
 * scripts); every argv element and variable goes through here, so the tool still receives its
 * argv literally. Throws on a NUL byte, which no argument can hold.
 */
export function shellQuote(value: string): string {
  if (value.includes('\0')) throw new Error(`an argument cannot contain a NUL byte: ${JSON.stringify(value)}`);
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
