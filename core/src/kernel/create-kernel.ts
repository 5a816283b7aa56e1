import { Container, type ContainerModule } from 'inversify';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFIG_FILE, KernelConfig, settingsEnvironment } from '../config/kernel-config.js';
import { ConfigError, PluginError } from '../errors/area-errors.js';
import { loadKernelConfig, type LoadConfigOptions } from '../config/load-config.js';
import { builtinFormatCodecs } from '../formats/index.js';
import { LocalRunner } from '../runner/index.js';
import { createKernelHooks } from '../hooks/kernel-hooks.js';
import { defaultCapabilityProber, type CapabilityProber } from '../plugin/capabilities.js';
import { PluginLoader } from '../plugin/plugin-loader.js';
import type { PluginDescriptor, PluginManifest } from '../plugin/plugin-manifest.js';
import { validatePluginManifest } from '../plugin/plugin-manifest.js';
import { validateRunnerDeclaration, type RunnerDeclaration } from '../plugin/runner-declaration.js';
import type { HostModules } from '../plugin/host-module-sharing.js';
import { importPluginModule, readPluginDescriptor } from '../plugin/plugin-resolver.js';
import { FormatRegistry, RunnerRegistry, StorageRegistry, ToolSourceRegistry } from '../registry/registries.js';
import { CORE_VERSION } from '../version.js';
import { Kernel } from './kernel.js';

/** A plugin handed over in-process by a TypeScript user: its manifest and its bindings module. */
export interface InlinePlugin {
  readonly manifest: unknown;
  readonly module: ContainerModule;
}

/**
 * A plugin the composition root knows but a workspace may not configure: its package and the
 * runners its manifest declares (as `bioimageit.contributes.runners`), so that a run falling back to
 * the local runner names the package that would honour the tool's requirement.
 */
export interface KnownPlugin {
  readonly packageName: string;
  readonly runners?: readonly unknown[];
}

export interface CreateKernelOptions extends LoadConfigOptions {
  /** Use this configuration instead of reading the workspace's file. */
  readonly config?: KernelConfig;
  /** Extra plugins given in-process (validated like installed ones). */
  readonly inlinePlugins?: readonly InlinePlugin[];
  /** Capability probe (tests replace it). */
  readonly prober?: CapabilityProber;
  /** Plugins the caller knows of (the CLI's catalogue), named in fallback warnings when not configured. Default none. */
  readonly knownPlugins?: readonly KnownPlugin[];
  /** Folders from which plugin packages are resolved; default: the workspace and this package. */
  readonly pluginBases?: readonly string[];
  /** The host's own copies of plugin modules and shared packages (a bundled application); default none. */
  readonly hostModules?: HostModules;
}

/**
 * Builds a kernel: loads the configuration, creates registries and hooks, registers the built-in
 * formats, reads and validates every configured plugin's manifest (no plugin code runs), declares
 * their contributions for lazy activation, and activates only plugins that tap hooks.
 *
 * Throws ConfigError for a bad configuration and PluginError (BAD_MANIFEST, ENGINE_MISMATCH,
 * DUPLICATE_ID, NOT_FOUND) naming the plugin; a plugin whose required capability is missing is not
 * an error here: it is reported unavailable when something it contributes is requested.
 */
export async function createKernel(options: CreateKernelOptions = {}): Promise<Kernel> {
  const config = options.config ?? (await loadKernelConfig(options));
  const root = new Container();
  root.bind(KernelConfig).toConstantValue(config);
  const hooks = createKernelHooks();
  const storage = new StorageRegistry();
  const formats = new FormatRegistry();
  const runners = new RunnerRegistry();
  const toolSources = new ToolSourceRegistry();
  for (const codec of builtinFormatCodecs()) formats.register(codec, 'core');
  runners.register(new LocalRunner(), 'core');
  const loader = new PluginLoader({
    root,
    storage,
    formats,
    runners,
    toolSources,
    hooks,
    // Capabilities are probed with the settings too (a DOCKER_HOST given in the config's `settings`).
    prober: options.prober ?? defaultCapabilityProber(settingsEnvironment(config, options.env ?? process.env)),
    importModule: (descriptor) => importPluginModule(descriptor, options.hostModules),
  });
  const bases = options.pluginBases ?? [config.workspace, dirname(fileURLToPath(import.meta.url))];
  const declared = new Set<string>();
  const add = (descriptor: PluginDescriptor): void => {
    for (const name of descriptor.manifest.settings) declared.add(name);
  };
  for (const spec of config.plugins) {
    const descriptor = await readPluginDescriptor(spec, bases, CORE_VERSION);
    loader.add(descriptor);
    add(descriptor);
  }
  for (const inline of options.inlinePlugins ?? []) {
    const manifest: PluginManifest = validatePluginManifest(inline.manifest, '(inline plugin)', CORE_VERSION);
    const descriptor: PluginDescriptor = { manifest, packageName: `(inline) ${manifest.id}`, version: '0.0.0', directory: config.workspace };
    loader.add(descriptor, inline.module);
    add(descriptor);
  }
  checkSettings(config, declared);
  hintKnownRunners(runners, options.knownPlugins ?? [], new Set(loader.list().map((p) => p.packageName)));
  await loader.activateHookPlugins();
  return new Kernel({ config, hooks, loader, storage, formats, runners, toolSources });
}

/** Records the runners of known plugins the configuration does not load (validated as manifests are). */
function hintKnownRunners(runners: RunnerRegistry, known: readonly KnownPlugin[], configured: ReadonlySet<string>): void {
  for (const plugin of known) {
    if (configured.has(plugin.packageName)) continue;
    const bad = (field: string, why: string) =>
      new PluginError('BAD_MANIFEST', `known plugin '${plugin.packageName}': runner declaration '${field}' ${why}`, {
        details: { package: plugin.packageName, field },
      });
    (plugin.runners ?? []).forEach((raw, i) => {
      const declaration: RunnerDeclaration = validateRunnerDeclaration(raw, `runners[${i}]`, bad);
      runners.hint({ ...declaration, plugin: plugin.packageName, packageName: plugin.packageName });
    });
  }
}

/** Every name in the config's `settings` must be one a configured plugin declares (a typo fails here, not silently). */
function checkSettings(config: KernelConfig, declared: ReadonlySet<string>): void {
  for (const name of Object.keys(config.settings)) {
    if (declared.has(name)) continue;
    const file = join(config.workspace, CONFIG_FILE);
    const known = [...declared].sort();
    throw new ConfigError(
      'INVALID',
      `${file}: setting '${name}' is not read by any configured plugin (${known.length > 0 ? `known: ${known.join(', ')}` : 'none of them declares settings'})`,
      {
        details: { file, field: `settings.${name}` },
      },
    );
  }
}
