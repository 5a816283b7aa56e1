/**
 * The tool manifest: plain, read-only JSON describing one analysis tool. Native tools write it as a
 * `*.tool.json` file (checked by {@link validateToolManifest} and published as
 * {@link TOOL_MANIFEST_SCHEMA}); BioImageIT v1 XML wrappers are converted into the same shape by
 * `loadV1Wrapper`. The job engine, the runners and provenance only ever see this type.
 *
 * The types live in `model/` with the other data shapes (the engine, runners and provenance use
 * them); `tools/tool-manifest.ts` re-exports them with the values and helpers that go with them.
 */

/** Value types of a tool input. `data` inputs receive file paths; the others are parameters. */
export type ToolInputType = 'data' | 'int' | 'float' | 'string' | 'bool' | 'choice';

/** A typed parameter value after {@link validateParams}. */
export type ToolParamValue = string | number | boolean;

/** One allowed value of a `choice` input. */
export interface ToolChoice {
  readonly value: string;
  readonly label: string;
}

/** One input: a data file (`type: 'data'`) or a parameter (every other type). */
export interface ToolInput {
  /** Identifier used in `{inputs.NAME}` / `{params.NAME}` placeholders; unique within the tool. */
  readonly name: string;
  readonly type: ToolInputType;
  readonly label?: string;
  readonly help?: string;
  /** Data inputs only: the expected format id (v1 ids such as `imagetiff`). */
  readonly format?: string;
  /** Default value, typed like the input (a choice's default is one of its values). */
  readonly default?: ToolParamValue;
  /** Inclusive bounds of `int` and `float` inputs. */
  readonly min?: number;
  readonly max?: number;
  /** Allowed values of a `choice` input. */
  readonly choices?: readonly ToolChoice[];
  /** May be left unset: argv elements that mention it are then dropped. */
  readonly optional?: boolean;
  /** Shown in the advanced section of a form (v1's `optional="true"`). */
  readonly advanced?: boolean;
  /** The command-line flag this input came from in a v1 wrapper (`-x`), for display. */
  readonly argument?: string;
  /** `bool` inputs only: the text passed for true / false (default `true` / `false`). */
  readonly trueValue?: string;
  readonly falseValue?: string;
}

/** One output file a job must produce. */
export interface ToolOutput {
  /** Identifier used in `{outputs.NAME}` placeholders. */
  readonly name: string;
  /** Format id of the produced file (`imagetiff`, `tablecsv`, ...). */
  readonly format: string;
  readonly label?: string;
  /**
   * File-name template without extension: `{output}`, `{input.stem}`, `{input.name}`, `{index}`.
   * Default `{output}_{input.stem}` (v1's naming: `o_population1_001`).
   */
  readonly template?: string;
  /** File extension (with or without the dot); wins over the extension implied by `format`. */
  readonly extension?: string;
}

/**
 * How to start the tool. Each argv element is a template; placeholders are `{inputs.NAME}`,
 * `{outputs.NAME}`, `{params.NAME}`, `{tool.dir}` and `{env.NAME}` (configured values such as v1's
 * `${python}`). Other braces are literal text. An element always stays one argument.
 */
export interface ToolCommand {
  readonly argv: readonly string[];
}

/** Conda environment the tool runs in. */
export interface CondaRequirement {
  /** Environment name (v1's `env=`). */
  readonly env?: string;
  /** Package specs (`python=3.9`, `numpy`). */
  readonly packages?: readonly string[];
  readonly channels?: readonly string[];
  /** An environment file, relative to the manifest's folder. */
  readonly file?: string;
  /** Command run once after the environment is created (v1's `init=`, e.g. `pip install x`). */
  readonly init?: string;
}

/** Software the tool needs; a runner picks the first it can satisfy. */
export interface ToolRequirements {
  readonly docker?: {
    readonly image: string;
    /** True when the tool needs a network in its container (the docker runner gives none otherwise). */
    readonly network?: boolean;
  };
  readonly conda?: CondaRequirement;
  /** Runs on the host: the executables that must be on PATH, or the plugin that provides them. */
  readonly native?: { readonly executables?: readonly string[]; readonly plugin?: string };
}

/** What one job of the tool needs from the machine. */
export interface ToolResources {
  readonly cpus?: number;
  readonly memoryMb?: number;
  readonly gpus?: number;
  readonly timeoutS?: number;
}

/** How a test output is compared with its expected file. */
export type ToolTestCompare = 'same_size' | 'sim_content' | 'sim_size' | 'exists';

/** One test case: inputs are file names relative to the tool's `test-data/` folder. */
export interface ToolTest {
  readonly params: Readonly<Record<string, string>>;
  readonly inputs: Readonly<Record<string, string>>;
  readonly outputs: Readonly<Record<string, { readonly file?: string; readonly compare?: ToolTestCompare }>>;
}

/** `map` runs once per input item; `reduce` once per group of items (v1's `merge`). */
export type ToolType = 'map' | 'reduce';

/** A reference to cite (a paper, a model's record): its text, with a DOI or a URL when known. */
export interface ToolCitation {
  readonly text: string;
  readonly doi?: string;
  readonly url?: string;
}

/** A loaded tool. Everything but `source` is covered by `digest`. */
export interface ToolManifest {
  /** Namespaced, lower-case id: `biitcopy` (v1) or `gpu-decon.deconvolve`. */
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly categories: readonly string[];
  readonly inputs: readonly ToolInput[];
  readonly outputs: readonly ToolOutput[];
  readonly command: ToolCommand;
  readonly requirements: ToolRequirements;
  readonly resources: ToolResources;
  readonly type: ToolType;
  readonly tests: readonly ToolTest[];
  /** Longer help text (v1's `<help>`). */
  readonly help?: string;
  /** Who publishes the tool (v1's `.shed.yml` owner). */
  readonly owner?: string;
  readonly homepage?: string;
  /** Who made the tool (names, or `Name (ORCID 0000-…)`), recorded with its runs and in RO-Crates. */
  readonly authors?: readonly string[];
  /** Licence of the tool (an SPDX identifier such as `MIT`). */
  readonly license?: string;
  /** What to cite when the tool is used. */
  readonly cite?: readonly ToolCitation[];
  /**
   * Facts about what the tool runs, recorded with every run of it (`RunRecord.tool.facts`) and
   * exported with its provenance: a model's id and version, its weights' sha256, the runtime.
   */
  readonly facts?: Readonly<Record<string, string>>;
  /** Absolute path of the file the manifest was loaded from. */
  readonly source: string;
  /** Lower-case hex sha256 of the canonical JSON of every other field (plus the XML bytes of a v1 wrapper). */
  readonly digest: string;
}

/** A manifest before the loader adds `source` and `digest`. */
export type ToolManifestBody = Omit<ToolManifest, 'source' | 'digest'>;
