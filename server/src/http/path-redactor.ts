import { fileURLToPath } from 'node:url';

/**
 * Replaces server-side locations in texts sent to clients: each registered folder (given as a
 * path or a `file:` URI) becomes its label (an experiment folder becomes the experiment's name,
 * the workspace `<workspace>`), in both its path and its URI spelling. Longer folders are replaced
 * first, so an experiment inside the workspace keeps its own label.
 */
export class PathRedactor {
  private readonly labels = new Map<string, string>();
  private ordered: [string, string][] = [];

  /** Registers `where` (path or file URI) to be shown as `label`. */
  add(where: string, label: string): void {
    const path = where.startsWith('file:') ? fileURLToPath(where) : where;
    const trimmed = path.replace(/\/+$/, '');
    if (trimmed === '' || this.labels.get(trimmed) === label) return;
    this.labels.set(trimmed, label);
    const spellings: [string, string][] = [...this.labels].flatMap(([p, l]) => [
      [`file://${encodeURI(p)}`, l],
      [p, l],
    ]);
    this.ordered = spellings.sort((a, b) => b[0].length - a[0].length);
  }

  /** `text` with every registered location replaced by its label. */
  redact(text: string): string {
    let out = text;
    for (const [from, to] of this.ordered) out = out.split(from).join(to);
    return out;
  }

  /** A JSON value with every string redacted. */
  redactValue<T>(value: T): T {
    return JSON.parse(this.redact(JSON.stringify(value))) as T;
  }
}
