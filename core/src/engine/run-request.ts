import type { DataItem } from '../model/data-item.js';
import type { RunRecord } from '../model/run.js';
import type { ToolManifest } from '../tools/tool-manifest.js';

/** One data input of a run: which items of which dataset feed the tool's input `name`. */
export interface RunInput {
  /** The tool's data input name (`i`). */
  readonly name: string;
  /** Dataset to select from; default `data` (the raw dataset). */
  readonly dataset?: string;
  /** Query in the query language; empty or absent selects every item. */
  readonly query?: string;
  /** Keep only items made as this output of a multi-output tool (`origin.output.name`, v1's origin_output_name). */
  readonly originOutputName?: string;
  /**
   * Restricts the selection to these item ids (any dataset) before the query applies. Pipelines use
   * it to feed a step exactly the outputs of the step before, cached ones included.
   */
  readonly itemIds?: readonly string[];
  /**
   * Give this input's one item to every job (a PSF, a reference, a model) instead of pairing it:
   * the selection must hold exactly one item. The other inputs are paired or grouped as usual.
   */
  readonly broadcast?: boolean;
}

/**
 * What to run: a tool, its parameters and inputs, and where outputs go. Handed to
 * `Kernel.runTool` (tool by id) or `RunEngine.run` (tool as a loaded manifest).
 *
 * Pairing of several inputs: `matchBy` tag keys (an inner join: one job per key tuple found in
 * every input; items whose key tuple is missing elsewhere are reported as unmatched) or
 * `'position'` (v1: the i-th item of each selection; the counts must be equal). `groupBy` (or a
 * tool of type `reduce`) makes one job per group of items sharing the groupBy tag values (a reduce
 * tool without groupBy: one job over everything); such a job's `{inputs.NAME}` is the path of a
 * text file in its staging folder listing the group's input files, one absolute path per line,
 * in `orderBy` order. An input marked `broadcast` (one item) goes to every job. A run whose
 * pairing plans no job fails (ToolError NOTHING_TO_RUN) before anything is written.
 */
export interface RunRequest {
  readonly tool: ToolManifest;
  /** Parameter values as typed on a command line (strings) or already typed. */
  readonly params?: Readonly<Record<string, string | number | boolean>>;
  readonly inputs: readonly RunInput[];
  /** Processed dataset receiving the outputs (created when missing). */
  readonly outputDataset: string;
  readonly matchBy?: readonly string[] | 'position';
  readonly groupBy?: readonly string[];
  /**
   * Order of the items inside each group of a grouped run (their order in the list file): by these
   * tag values, numerically when both values are numbers (`--order-by T`: T=2 before T=10).
   */
  readonly orderBy?: readonly string[];
  /** Jobs run at once (default 1). */
  readonly jobs?: number;
  /** Reuse outputs of identical earlier jobs (default true). */
  readonly cache?: boolean;
  /** Continue the latest unfinished run of the output dataset (see RunEngine). */
  readonly resume?: boolean;
  /** Runner id; otherwise the resolveRunner hook, then the tool's requirements, then `local`. */
  readonly runner?: string;
  /**
   * Per-run options of the chosen runner (`partition`, `time`, `pull`...), over its configured
   * settings: checked against what the runner declares (`Runner.runOptions`) before anything runs
   * (ToolError BAD_PARAMETER naming the option), handed to the runner with every job and kept in
   * the run record. Values as typed on a command line (strings) or already typed.
   */
  readonly runnerOptions?: Readonly<Record<string, string | number | boolean>>;
  /** Values of `{env.NAME}` placeholders, over the configured ones. */
  readonly env?: Readonly<Record<string, string>>;
  /** Aborting cancels the run: running jobs are killed, nothing partial is committed. */
  readonly signal?: AbortSignal;
}

/** A {@link RunRequest} naming its tool by id (or v1 key `biitcopy_v1.0.0`), as `Kernel.runTool` takes it. */
export type ToolRunRequest = Omit<RunRequest, 'tool'> & { readonly tool: string | ToolManifest };

/** An item left out by tag matching: no partner with the same key values in another input. */
export interface UnmatchedItem {
  readonly input: string;
  readonly itemId: string;
  readonly name: string;
  /** The item's values of the matchBy (or groupBy) keys. */
  readonly key: readonly string[];
  readonly reason: string;
}

/** What a run produced: its final record (as stored) and what pairing left out. */
export interface RunOutcome {
  readonly record: RunRecord;
  readonly unmatched: readonly UnmatchedItem[];
  /** True when the run continued an unfinished one (`resume`). */
  readonly resumed: boolean;
  /** Problems that did not stop the run: failing taps of jobStarted/jobFinished/afterRun, log files that could not be kept. */
  readonly warnings: readonly string[];
}

/** One planned job: the items bound to each data input (one per input for map jobs, a group for reduce jobs). */
export interface JobPlan {
  readonly index: number;
  readonly bindings: Readonly<Record<string, readonly DataItem[]>>;
  /** True when inputs are passed as list files (groupBy / reduce). */
  readonly grouped: boolean;
  /** Stem used in output file names: the first input's file stem, or the group's key values. */
  readonly stem: string;
  /** Inputs whose one item every job gets (broadcast): outputs take their tags from the other inputs. */
  readonly broadcast?: readonly string[];
}
