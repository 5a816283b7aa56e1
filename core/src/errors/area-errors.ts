import { BioImageItError, type ErrorOptions } from './bioimageit-error.js';

/** Codes of {@link StorageError}: what went wrong with stored experiments, datasets and items. */
export type StorageErrorCode =
  | 'NOT_FOUND' // experiment, dataset or item does not exist
  | 'EXISTS' // creating something whose name is taken
  | 'CORRUPT' // a metadata file cannot be parsed or lacks required fields
  | 'IO' // the file system or server refused an operation
  | 'LOCKED' // another writer holds the experiment lock for too long
  | 'NO_BACKEND' // no storage backend answers this URI scheme
  | 'UNSUPPORTED' // the backend cannot do this (e.g. OMERO.web cannot import images)
  | 'PATH_ESCAPE' // a path leaves the folder it must stay in
  | 'INVALID'; // bad arguments (empty name, unknown tag key, ...)

export class StorageError extends BioImageItError<StorageErrorCode> {
  readonly area = 'storage' as const;
  constructor(code: StorageErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}

/** Codes of {@link QueryError}. `details.column` is the 1-based column of a syntax error. */
export type QueryErrorCode = 'SYNTAX' | 'BAD_REGEX' | 'UNKNOWN_FIELD';

export class QueryError extends BioImageItError<QueryErrorCode> {
  readonly area = 'query' as const;
  constructor(code: QueryErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
  /** 1-based column in the query text where the problem starts, when known. */
  get column(): number | undefined {
    const c = this.details['column'];
    return typeof c === 'number' ? c : undefined;
  }
}

/**
 * Codes of {@link FormatError}: reading or writing image and table files. `TOO_LARGE`: the pixels
 * a read would decode exceed its limit (declared sizes, checked before decoding).
 */
export type FormatErrorCode = 'CORRUPT' | 'UNSUPPORTED' | 'UNKNOWN_FORMAT' | 'DUPLICATE_FORMAT' | 'IO' | 'TOO_LARGE';

export class FormatError extends BioImageItError<FormatErrorCode> {
  readonly area = 'format' as const;
  constructor(code: FormatErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}

/** Codes of {@link PluginError}: manifests, compatibility, activation, contributions. */
export type PluginErrorCode =
  | 'NOT_FOUND' // the plugin package cannot be resolved
  | 'BAD_MANIFEST' // package.json lacks a valid `bioimageit` manifest
  | 'ENGINE_MISMATCH' // the plugin's core range excludes this core version
  | 'MISSING_REQUIREMENT' // a required capability (docker, cuda, network) is absent
  | 'DUPLICATE_ID' // two plugins share an id
  | 'DUPLICATE_CONTRIBUTION' // two contributions share a registry key
  | 'ACTIVATION_FAILED' // importing or loading the plugin module threw
  | 'NOT_CONTRIBUTED'; // the plugin activated but did not register what its manifest promised

export class PluginError extends BioImageItError<PluginErrorCode> {
  readonly area = 'plugin' as const;
  constructor(code: PluginErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}

/** Codes of {@link ConfigError}: bioimageit.config.json and environment overrides. */
export type ConfigErrorCode = 'INVALID' | 'NOT_FOUND' | 'NO_WORKSPACE';

export class ConfigError extends BioImageItError<ConfigErrorCode> {
  readonly area = 'config' as const;
  constructor(code: ConfigErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}

/** Codes of {@link ToolError}: tool manifests and wrappers. */
/** SOURCE_UNAVAILABLE: a plugin's tool source could not be activated (missing capability, broken plugin). NOTHING_TO_RUN: a run's pairing or grouping planned no job. */
export type ToolErrorCode = 'NOT_FOUND' | 'BAD_MANIFEST' | 'BAD_PARAMETER' | 'DUPLICATE_TOOL' | 'SOURCE_UNAVAILABLE' | 'NOTHING_TO_RUN';

export class ToolError extends BioImageItError<ToolErrorCode> {
  readonly area = 'tool' as const;
  constructor(code: ToolErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}

/** Codes of {@link RunnerError}: executing jobs. */
export type RunnerErrorCode = 'NO_RUNNER' | 'UNAVAILABLE' | 'NON_ZERO_EXIT' | 'TIMEOUT' | 'CANCELLED' | 'MISSING_OUTPUT';

export class RunnerError extends BioImageItError<RunnerErrorCode> {
  readonly area = 'runner' as const;
  constructor(code: RunnerErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}

/** A tap on a kernel hook threw; `details.hook` and `details.plugin` name the culprit. */
export class HookError extends BioImageItError<'TAP_FAILED'> {
  readonly area = 'hook' as const;
  constructor(hook: string, plugin: string, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super('TAP_FAILED', `hook '${hook}' failed in plugin '${plugin}': ${why}`, { cause, details: { hook, plugin } });
  }
}
