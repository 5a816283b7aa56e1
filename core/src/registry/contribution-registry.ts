import { PluginError } from '../errors/area-errors.js';
import { disposable, type Disposable } from '../util/disposable.js';

/** Activates the plugin that declared a key; resolves once its contributions are registered. */
export type Activator = () => Promise<void>;

/** Builds the error thrown when no provider answers a key (a StorageError, a RunnerError...). */
export type MissingKeyError = (key: string, known: readonly string[]) => Error;

/**
 * A registry of contributions keyed by a string (URI scheme, runner id, format id, source id).
 *
 * - `register` adds a live contribution; a second one under the same key throws PluginError
 *   `DUPLICATE_CONTRIBUTION`; the returned Disposable removes it.
 * - `declare` records that a plugin *will* provide a key (read from its manifest without running
 *   its code); `get` on that key activates the plugin once, then expects it to have registered
 *   the key, else rejects with PluginError `NOT_CONTRIBUTED`.
 * - `get` on an unknown key rejects with the error built by `missing`.
 *
 * Only the kernel's bootstrap creates registries; plugins receive the register side.
 */
export class ContributionRegistry<T> {
  private readonly live = new Map<string, { value: T; owner: string }>();
  private readonly declared = new Map<string, { plugin: string; activate: Activator }>();

  constructor(
    /** What the registry holds, for messages (`storage backend`). */
    readonly what: string,
    private readonly keyOf: (value: T) => string,
    private readonly missing: MissingKeyError,
  ) {}

  register(value: T, owner = 'core'): Disposable {
    const key = this.keyOf(value);
    const taken = this.live.get(key);
    if (taken !== undefined) {
      throw new PluginError('DUPLICATE_CONTRIBUTION', `${this.what} '${key}' from '${owner}' is already registered by '${taken.owner}'`, {
        details: { key, owner, registeredBy: taken.owner },
      });
    }
    this.live.set(key, { value, owner });
    return disposable(() => {
      if (this.live.get(key)?.value === value) this.live.delete(key);
    });
  }

  /** Records a lazily activated provider for `key`; throws DUPLICATE_CONTRIBUTION when two plugins claim it. */
  declare(key: string, plugin: string, activate: Activator): Disposable {
    const other = this.declared.get(key);
    if (other !== undefined && other.plugin !== plugin) {
      throw new PluginError('DUPLICATE_CONTRIBUTION', `${this.what} '${key}' is claimed by plugins '${other.plugin}' and '${plugin}'`, {
        details: { key, plugins: [other.plugin, plugin] },
      });
    }
    this.declared.set(key, { plugin, activate });
    return disposable(() => {
      if (this.declared.get(key)?.plugin === plugin) this.declared.delete(key);
    });
  }

  /** The contribution for `key`, activating its plugin on first use. */
  async get(key: string): Promise<T> {
    const hit = this.live.get(key);
    if (hit !== undefined) return hit.value;
    const pending = this.declared.get(key);
    if (pending === undefined) throw this.missing(key, this.keys());
    await pending.activate();
    const after = this.live.get(key);
    if (after === undefined) {
      throw new PluginError(
        'NOT_CONTRIBUTED',
        `plugin '${pending.plugin}' declares ${this.what} '${key}' in its manifest but did not register it when activated`,
        { details: { key, plugin: pending.plugin } },
      );
    }
    return after.value;
  }

  /** The contribution for `key` only if already active (never activates). */
  peek(key: string): T | undefined {
    return this.live.get(key)?.value;
  }

  has(key: string): boolean {
    return this.live.has(key) || this.declared.has(key);
  }

  /** All keys, live or declared, sorted. */
  keys(): string[] {
    return [...new Set([...this.live.keys(), ...this.declared.keys()])].sort();
  }

  /** Which plugin provides `key` (`core` for built-ins), without activating it. */
  ownerOf(key: string): string | undefined {
    return this.live.get(key)?.owner ?? this.declared.get(key)?.plugin;
  }

  /** All live contributions (does not activate declared ones). */
  values(): T[] {
    return [...this.live.values()].map((entry) => entry.value);
  }
}
