import { Container, ContainerModule } from 'inversify';
import { PluginError } from '../errors/area-errors.js';
import { FormatContribution } from '../extension-points/format-codec.js';
import { RunnerContribution } from '../extension-points/runner.js';
import { StorageContribution } from '../extension-points/storage-backend.js';
import { ToolSourceContribution } from '../extension-points/tool-source.js';
import { HookContribution, type PluginHooks } from '../hooks/kernel-hooks.js';
import { pluginHooksFor } from '../hooks/plugin-hooks-facade.js';
import type { FormatRegistry, RunnerRegistry, StorageRegistry, ToolSourceRegistry } from '../registry/registries.js';
import type { CapabilityProber } from './capabilities.js';
import type { PluginDescriptor, PluginManifest } from './plugin-manifest.js';

/** Where a plugin stands. `unavailable`: a required capability is missing; `failed`: activation threw. */
export type PluginState = 'declared' | 'active' | 'unavailable' | 'failed';

export interface PluginStatus {
  readonly id: string;
  readonly packageName: string;
  readonly version: string;
  readonly state: PluginState;
  readonly reason?: string;
  readonly contributes: PluginManifest['contributes'];
}

export interface PluginLoaderDeps {
  readonly root: Container;
  readonly storage: StorageRegistry;
  readonly runners: RunnerRegistry;
  readonly formats: FormatRegistry;
  readonly toolSources: ToolSourceRegistry;
  readonly hooks: PluginHooks;
  readonly prober: CapabilityProber;
  /** Imports a plugin's module file; returns the module namespace. */
  readonly importModule: (descriptor: PluginDescriptor) => Promise<unknown>;
}

interface Entry {
  readonly descriptor: PluginDescriptor;
  state: PluginState;
  reason?: string;
  activation?: Promise<void>;
  /** In-process module given by a TypeScript user instead of an import. */
  readonly module?: ContainerModule;
}

/**
 * Declares validated plugins into the registries and activates each one lazily, once, on the first
 * request for something it contributes. Each plugin gets its own child container (its bindings
 * cannot clash with another plugin's); its module must hold only bindings.
 */
export class PluginLoader {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly deps: PluginLoaderDeps) {}

  /**
   * Adds a plugin whose manifest is already validated. Throws PluginError DUPLICATE_ID when its id
   * is taken. A missing required capability makes it `unavailable`: its keys stay declared and
   * requesting one rejects with MISSING_REQUIREMENT naming the plugin and the fix.
   */
  add(descriptor: PluginDescriptor, module?: ContainerModule): void {
    const { id } = descriptor.manifest;
    const other = this.entries.get(id);
    if (other !== undefined) {
      throw new PluginError('DUPLICATE_ID', `plugin id '${id}' is used by both ${other.descriptor.packageName} and ${descriptor.packageName}`, {
        details: { plugin: id, packages: [other.descriptor.packageName, descriptor.packageName] },
      });
    }
    const entry: Entry = { descriptor, state: 'declared', ...(module && { module }) };
    for (const capability of descriptor.manifest.requires) {
      const probe = this.deps.prober(capability, descriptor.manifest.probes[capability]);
      if (!probe.available) {
        entry.state = 'unavailable';
        entry.reason = `requires ${capability}: ${probe.reason ?? 'not available'}`;
        break;
      }
    }
    this.entries.set(id, entry);
    const activate = () => this.activate(id);
    const c = descriptor.manifest.contributes;
    for (const s of c.storage ?? []) this.deps.storage.declare(s.scheme, id, activate);
    for (const r of c.runners ?? []) {
      this.deps.runners.declare(r.id, id, activate);
      this.deps.runners.offer({ ...r, plugin: id, packageName: descriptor.packageName });
    }
    for (const f of c.formats ?? []) this.deps.formats.declare(f.id, id, activate);
    for (const t of c.toolSources ?? []) this.deps.toolSources.declare(t.id, id, activate);
  }

  /** Activates plugins that tap hooks (they must listen from the start); others stay lazy. */
  async activateHookPlugins(): Promise<void> {
    for (const entry of this.entries.values()) {
      if (entry.descriptor.manifest.contributes.hooks === true && entry.state === 'declared') await this.activate(entry.descriptor.manifest.id);
    }
  }

  /** Imports and loads a plugin once; later calls share the same promise. */
  activate(id: string): Promise<void> {
    const entry = this.entries.get(id);
    if (entry === undefined) return Promise.reject(new PluginError('NOT_FOUND', `no plugin with id '${id}' is configured`, { details: { plugin: id } }));
    if (entry.state === 'unavailable') {
      return Promise.reject(
        new PluginError('MISSING_REQUIREMENT', `plugin '${id}' is unavailable: ${entry.reason ?? ''}`, { details: { plugin: id, reason: entry.reason } }),
      );
    }
    entry.activation ??= this.load(entry).then(
      () => {
        entry.state = 'active';
      },
      (cause: unknown) => {
        entry.state = 'failed';
        const why = cause instanceof Error ? cause.message : String(cause);
        entry.reason = why;
        throw cause instanceof PluginError
          ? cause
          : new PluginError('ACTIVATION_FAILED', `activating plugin '${id}' (${entry.descriptor.packageName}) failed: ${why}`, {
              cause,
              details: { plugin: id, package: entry.descriptor.packageName },
            });
      },
    );
    return entry.activation;
  }

  list(): PluginStatus[] {
    return [...this.entries.values()].map((e) => ({
      id: e.descriptor.manifest.id,
      packageName: e.descriptor.packageName,
      version: e.descriptor.version,
      state: e.state,
      ...(e.reason !== undefined && { reason: e.reason }),
      contributes: e.descriptor.manifest.contributes,
    }));
  }

  private async load(entry: Entry): Promise<void> {
    const { manifest } = entry.descriptor;
    const module = entry.module ?? containerModuleOf(await this.deps.importModule(entry.descriptor), entry.descriptor);
    const child = new Container({ parent: this.deps.root });
    await child.loadAsync(module);
    const owner = manifest.id;
    const register = <T>(registry: { register(value: T, owner: string): unknown }) => ({
      register: (value: T) => registry.register(value, owner) as never,
    });
    // Resolved asynchronously: a plugin may bind contributions (or what they inject) with async
    // factories, e.g. to connect to a daemon with settings read from the kernel's configuration.
    for (const c of await child.getAllAsync<StorageContribution>(StorageContribution, { optional: true })) c.registerStorage(register(this.deps.storage));
    for (const c of await child.getAllAsync<RunnerContribution>(RunnerContribution, { optional: true })) c.registerRunners(register(this.deps.runners));
    for (const c of await child.getAllAsync<FormatContribution>(FormatContribution, { optional: true })) c.registerFormats(register(this.deps.formats));
    for (const c of await child.getAllAsync<ToolSourceContribution>(ToolSourceContribution, { optional: true })) {
      c.registerToolSources(register(this.deps.toolSources));
    }
    // Taps are named with the plugin's id whatever the plugin writes (errors name the right plugin).
    const hooks = pluginHooksFor(this.deps.hooks, owner);
    for (const c of await child.getAllAsync<HookContribution>(HookContribution, { optional: true })) c.apply(hooks);
  }
}

function containerModuleOf(namespace: unknown, descriptor: PluginDescriptor): ContainerModule {
  const candidate = (namespace as { default?: unknown } | undefined)?.default;
  if (candidate instanceof ContainerModule) return candidate;
  if (typeof candidate === 'object' && candidate !== null && typeof (candidate as ContainerModule).load === 'function') {
    return candidate as ContainerModule;
  }
  throw new PluginError(
    'BAD_MANIFEST',
    `plugin '${descriptor.manifest.id}': module '${descriptor.packageName}${descriptor.manifest.module.slice(1)}' must default-export an inversify ContainerModule`,
    { details: { plugin: descriptor.manifest.id } },
  );
}
