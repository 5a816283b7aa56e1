/** The part catalog of `scripts/system-parts.json`. */
export interface SystemPartCatalog {
  readonly parts: Readonly<Record<string, { readonly label: string; readonly apt?: readonly string[]; readonly how?: string }>>;
}

/**
 * The closing summary of a test run: each system part some suites skipped for, what it is, why it
 * was unusable, which test files skipped, and the one command that brings it. `log` holds the JSON
 * lines appended by `skipWithout()` (duplicates — a file loaded twice — count once).
 */
export function summarizeSkips(log: string, catalog: SystemPartCatalog): string {
  const byPart = new Map<string, { why: Set<string>; suites: Set<string> }>();
  for (const line of log.split('\n')) {
    if (line.trim() === '') continue;
    const skip = JSON.parse(line) as { part: string; why: string; suite: string };
    const entry = byPart.get(skip.part) ?? { why: new Set<string>(), suites: new Set<string>() };
    entry.why.add(skip.why);
    entry.suites.add(skip.suite);
    byPart.set(skip.part, entry);
  }
  if (byPart.size === 0) return 'System parts: every suite that needs one ran (nothing skipped for want of a system part).';
  const suites = new Set([...byPart.values()].flatMap((e) => [...e.suites]));
  const out = [
    `Skipped for want of a system part: ${suites.size} test file(s). \`npm run setup:system\` installs every part Debian has (as root or through sudo), then run \`npm test\` again.`,
  ];
  for (const [part, entry] of [...byPart].sort(([a], [b]) => a.localeCompare(b))) {
    const known = catalog.parts[part];
    const enable =
      known?.apt !== undefined ? `npm run setup:system -- ${part}   (apt-get install ${known.apt.join(' ')})` : (known?.how ?? 'no known set-up command');
    out.push(`- ${part}: ${known?.label ?? part}`);
    out.push(`    why: ${[...entry.why].join('; ')}`);
    out.push(`    enable: ${enable}`);
    out.push(`    skipped: ${[...entry.suites].sort().join(', ')}`);
  }
  return out.join('\n');
}
