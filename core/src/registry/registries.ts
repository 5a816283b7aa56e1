import { FormatError, PluginError, RunnerError, StorageError, ToolError } from '../errors/area-errors.js';
import type { FormatCodec } from '../extension-points/format-codec.js';
import type { Runner } from '../extension-points/runner.js';
import type { RunnerOffer } from '../plugin/runner-declaration.js';
import type { StorageBackend } from '../extension-points/storage-backend.js';
import type { ToolSource } from '../extension-points/tool-source.js';
import { ContributionRegistry } from './contribution-registry.js';

const list = (known: readonly string[]): string => (known.length === 0 ? 'none' : known.join(', '));

/** Storage backends by URI scheme. Unknown scheme: StorageError NO_BACKEND. */
export class StorageRegistry extends ContributionRegistry<StorageBackend> {
  constructor() {
    super(
      'storage backend',
      (b) => b.scheme,
      (key, known) =>
        new StorageError('NO_BACKEND', `no storage backend handles '${key}:' URIs (available: ${list(known)})`, { details: { scheme: key, known } }),
    );
  }
}

/**
 * Runners by id. Unknown id: RunnerError NO_RUNNER. Also holds what plugins' manifests declare
 * about their runners (the tool requirements each satisfies), for configured plugins (`offer`)
 * and for plugins the composition root knows but the workspace does not configure (`hint`), so the
 * engine chooses runners and names the package to add without knowing any runner by name.
 */
export class RunnerRegistry extends ContributionRegistry<Runner> {
  private readonly offered: RunnerOffer[] = [];
  private readonly hinted: RunnerOffer[] = [];

  constructor() {
    super(
      'runner',
      (r) => r.id,
      (key, known) => new RunnerError('NO_RUNNER', `no runner '${key}' is installed (available: ${list(known)})`, { details: { runner: key, known } }),
    );
  }

  /** Records the manifest declaration of a configured plugin's runner. */
  offer(declaration: RunnerOffer): void {
    this.offered.push(declaration);
  }

  /** Records the declaration of a runner whose plugin is known but not configured (named in fallback warnings). */
  hint(declaration: RunnerOffer): void {
    this.hinted.push(declaration);
  }

  /** Declarations of configured plugins' runners, in configuration order. */
  offers(): readonly RunnerOffer[] {
    return this.offered;
  }

  /** Declarations of known but unconfigured plugins' runners. */
  hints(): readonly RunnerOffer[] {
    return this.hinted;
  }
}

/** Format codecs by format id. Unknown id: FormatError UNKNOWN_FORMAT. Duplicates: FormatError DUPLICATE_FORMAT. */
export class FormatRegistry extends ContributionRegistry<FormatCodec> {
  constructor() {
    super(
      'format',
      (c) => c.id,
      (key, known) => new FormatError('UNKNOWN_FORMAT', `unknown format '${key}' (available: ${list(known)})`, { details: { format: key, known } }),
    );
  }

  override register(codec: FormatCodec, owner = 'core') {
    try {
      return super.register(codec, owner);
    } catch (err) {
      if (err instanceof PluginError && err.code === 'DUPLICATE_CONTRIBUTION') {
        throw new FormatError('DUPLICATE_FORMAT', err.message, { cause: err, details: err.details });
      }
      throw err;
    }
  }

  /** The live codec whose extension matches `path` (longest extension wins), if any. */
  forPath(path: string): FormatCodec | undefined {
    const lower = path.toLowerCase();
    let best: { codec: FormatCodec; len: number } | undefined;
    for (const codec of this.values()) {
      for (const ext of codec.extensions) {
        if (lower.endsWith(ext) && (best === undefined || ext.length > best.len)) best = { codec, len: ext.length };
      }
    }
    return best?.codec;
  }
}

/** Tool sources by id. Unknown id: ToolError NOT_FOUND. */
export class ToolSourceRegistry extends ContributionRegistry<ToolSource> {
  constructor() {
    super(
      'tool source',
      (s) => s.id,
      (key, known) => new ToolError('NOT_FOUND', `no tool source '${key}' (available: ${list(known)})`, { details: { source: key, known } }),
    );
  }
}
