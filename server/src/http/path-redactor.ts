import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** What an absolute path no registered folder covers becomes (followed by `/` and its last segment). */
export const SERVER_PATH = '<server path>';

/**
 * Top-level folders that start absolute paths on the usual systems; the folders at the root of
 * this machine's file system are added to them (see {@link rootFolders}).
 */
const USUAL_ROOTS = [
  'Users',
  'Volumes',
  'afs',
  'app',
  'bin',
  'boot',
  'data',
  'dev',
  'etc',
  'gpfs',
  'home',
  'lib',
  'lustre',
  'media',
  'mnt',
  'net',
  'nix',
  'opt',
  'private',
  'proc',
  'root',
  'run',
  'sbin',
  'scratch',
  'snap',
  'srv',
  'sys',
  'tmp',
  'usr',
  'var',
  'work',
  'workspace',
];

let roots: RegExp | undefined;

/** `/` + one of the root folders, as a regular expression (read once per process). */
function rootFolders(): RegExp {
  if (roots !== undefined) return roots;
  let here: string[] = [];
  try {
    here = readdirSync('/', { withFileTypes: true })
      .filter((e) => e.isDirectory() || e.isSymbolicLink())
      .map((e) => e.name);
  } catch {
    // no readable root (Windows, a sandbox): the usual folders only
  }
  // `/api/...` is how messages name the API's own routes, never a folder
  const names = [...new Set([...USUAL_ROOTS, ...here])].filter((n) => /^[\w.-]+$/.test(n) && n !== '.' && n !== '..' && n !== 'api');
  const alternatives = names.map((n) => n.replace(/[.]/g, '\\.')).join('|');
  // Characters that end a path in a message: white space, quotes, brackets, separators of lists.
  const stop = `\\s'"\`<>()\\[\\]{},;:|`;
  roots = new RegExp(
    [
      `file:\\/\\/[^${stop}]*`, // a file: URI
      `(?<![\\w.~@%/>\\ue000-])\\/(?:${alternatives})(?=$|[\\/${stop}])(?:\\/[^${stop}]*)?`, // a POSIX path under a root folder
      `(?<![\\w])[A-Za-z]:\\\\[^${stop}]*`, // a Windows path
    ].join('|'),
    'g',
  );
  return roots;
}

/** `<server path>/NAME`: the last segment of a path, without the folders before it. */
function hidden(path: string): string {
  const segments = path
    .replace(/^file:\/\//, '')
    .split(/[\\/]/)
    .filter((s) => s !== '');
  const last = segments.at(-1);
  return last === undefined || /^[A-Za-z]:$/.test(last) ? SERVER_PATH : `${SERVER_PATH}/${last}`;
}

/** `value` with `redact` applied to every string in it (object keys included), the structure kept. */
export function redactDeep<T>(value: T, redact: (text: string) => string): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => redactDeep(v, redact)) as T;
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [redact(k), redactDeep(v as unknown, redact)])) as T;
  return value;
}

/**
 * Replaces server-side locations in texts sent to clients: each registered folder (given as a
 * path or a `file:` URI) becomes its label (an experiment folder becomes the experiment's name,
 * the workspace `<workspace>`, a tool folder `<tools>`), in both its path and its URI spelling.
 * Longer folders are replaced first, so an experiment inside the workspace keeps its own label.
 * Any other absolute path (under a root folder of this machine or a usual one: `/home`, `/tmp`,
 * `/srv`..., a `file:` URI, a Windows path) then becomes `<server path>/` and its last segment,
 * so that no error body, event or run state names a folder of the server.
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

  /** `text` with every registered location replaced by its label, and every other absolute path hidden. */
  redact(text: string): string {
    // Registered folders become placeholders first, so that what follows a label (`<workspace>/data/...`) is not taken for a path.
    let out = text;
    this.ordered.forEach(([from], i) => (out = out.split(from).join(`\ue000${i}\ue000`)));
    out = out.replace(rootFolders(), hidden);
    return out.replace(/\ue000(\d+)\ue000/g, (_, i: string) => this.ordered[Number(i)]![1]);
  }

  /** A JSON value with every string redacted. */
  redactValue<T>(value: T): T {
    return redactDeep(value, (text) => this.redact(text));
  }
}
