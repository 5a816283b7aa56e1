/** The job engine: runs tools over selected data (map, matched, grouped), with cache, resume, parallelism, cancellation; and pipelines of such runs. */
export { RunEngine, type RunEngineOptions } from './run-engine.js';
export type { RunInput, RunRequest, ToolRunRequest, RunOutcome, UnmatchedItem, JobPlan } from './run-request.js';
export { planJobs, type PlanOptions, type JobPlanning } from './plan-jobs.js';
export { sharedTags } from './shared-tags.js';
export { selectInputs, itemStem } from './select-inputs.js';
export { jobCacheKey, InputChecksums } from './cache-key.js';
export { chooseRunner, type RunnerChoice } from './choose-runner.js';
export { validateRunnerOptions, recordedRunnerOptions, describeRunners, type RunnerOptionInput, type RunnerDescription } from './runner-options.js';
export { CommitBatcher, type BatchLimits } from './commit-batcher.js';
export { parseProgressLine, progressLineReader, type ProgressReport } from './progress-lines.js';
export { finalRunStatus, jobIdFor, shownRunRecord, type ShownRunRecord } from './run-record.js';
export { runItems, type RunItems, type RunOutput } from './run-items.js';
export { isDataMissing, missingDataIds } from './missing-data.js';
export { loadPipelineFile, parsePipeline, type Pipeline, type PipelineStep, type PipelineStepInput } from './pipeline-definition.js';
export { orderSteps, runPipeline, type PipelineRunOptions, type PipelineOutcome, type PipelineStepResult, type PipelineServices } from './pipeline-runner.js';
