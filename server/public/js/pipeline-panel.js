import { api, ApiFailure } from './api.js';
import { h, replace, toast } from './dom.js';
import { progressPanel } from './progress-panel.js';

/** How often a running pipeline's state is fetched. */
const POLL_MS = 400;

/**
 * One pipeline of the workspace: its steps (tool, output dataset) and a Run button. A run is
 * followed step by step (`GET …/pipelines/runs/{id}`): each step shows its status in colour, its
 * run gets a progress panel like a tool run, and a step that ended links to its outputs and its
 * run. Errors of the start (a step's tool missing) show in the panel.
 */
export function pipelinePanel(pipeline, experiment, { events, progressArea, onShowOutputs, onShowRun }) {
  const statusCells = new Map();
  const actionCells = new Map();
  const rows = pipeline.steps.map((step, i) => {
    const status = h('td', {}, h('span', { class: 'badge pending' }, 'pending'));
    const actions = h('div', { class: 'actions step-actions' });
    statusCells.set(step.name, status);
    actionCells.set(step.name, actions);
    return h(
      'tr',
      { dataset: { step: step.name } },
      h('td', { class: 'num' }, String(i + 1)),
      h('th', { scope: 'row' }, step.name),
      h('td', { class: 'mono' }, step.tool),
      h('td', {}, step.outputDataset),
      status,
      h('td', {}, actions),
    );
  });
  const message = h('div', { class: 'form-error', role: 'alert' });
  const summary = h('p', { class: 'run-status pipeline-status', 'aria-live': 'polite' });
  const run = h('button', { type: 'button', class: 'button primary', id: 'run-pipeline' }, 'Run');
  const panel = h(
    'section',
    { class: 'pipeline-panel tool-form', 'aria-labelledby': 'pipeline-title', dataset: { pipeline: pipeline.name } },
    h('h2', { id: 'pipeline-title' }, `${pipeline.name} `, h('span', { class: 'version' }, pipeline.file)),
    h(
      'p',
      { class: 'description' },
      `Runs ${pipeline.steps.length} step${pipeline.steps.length === 1 ? '' : 's'} on ${experiment.name}, each after the steps it reads from; a step after one that fails is skipped.`,
    ),
    pipeline.error ? h('p', { class: 'form-error' }, pipeline.error) : '',
    h(
      'table',
      { class: 'runs pipeline-steps' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, '#'),
          h('th', { scope: 'col' }, 'Step'),
          h('th', { scope: 'col' }, 'Tool'),
          h('th', { scope: 'col' }, 'Output dataset'),
          h('th', { scope: 'col' }, 'Status'),
          h('th', { scope: 'col' }, ''),
        ),
      ),
      h('tbody', {}, rows),
    ),
    summary,
    message,
    h('div', { class: 'actions' }, run),
  );
  if (pipeline.error) run.disabled = true;
  const shownRuns = new Set();

  const show = (state) => {
    panel.dataset.status = state.status;
    for (const step of state.steps) {
      const cell = statusCells.get(step.name);
      if (!cell) continue;
      replace(
        cell,
        h('span', { class: `badge ${step.status}`, title: step.error ?? step.reason ?? '' }, step.status),
        step.error ? h('small', { class: 'step-error' }, step.error) : '',
        step.reason ? h('small', { class: 'hint' }, step.reason) : '',
      );
      if (step.runId && !shownRuns.has(step.runId)) {
        shownRuns.add(step.runId);
        const runId = step.runId;
        void api.run(experiment.id, runId).then(
          (r) => (r.live ? progressArea.prepend(progressPanel(r.live, events, { onShowOutputs, onShowRun })) : shownRuns.delete(runId)),
          () => shownRuns.delete(runId), // not readable yet: asked again at the next poll
        );
      }
      const ended = !['pending', 'running', 'skipped'].includes(step.status);
      replace(
        actionCells.get(step.name),
        ended && step.runId
          ? [
              h('button', { type: 'button', class: 'button', onclick: () => onShowOutputs(step.outputDataset) }, `Show outputs (${step.outputDataset})`),
              h('button', { type: 'button', class: 'button', onclick: () => onShowRun(step.runId) }, 'Open run'),
            ]
          : '',
      );
    }
    const done = state.steps.filter((s) => !['pending', 'running'].includes(s.status)).length;
    summary.textContent =
      state.status === 'running'
        ? `Running: ${done} of ${state.steps.length} steps done`
        : `${state.status[0].toUpperCase()}${state.status.slice(1)}: ${state.steps.filter((s) => s.status === 'succeeded').length} of ${state.steps.length} steps succeeded${state.error ? ` — ${state.error}` : ''}`;
  };

  run.addEventListener('click', async () => {
    replace(message);
    run.disabled = true;
    let state;
    try {
      state = await api.startPipeline(experiment.id, pipeline.name);
    } catch (failure) {
      replace(message, failure instanceof ApiFailure ? failure.message : String(failure));
      run.disabled = false;
      return;
    }
    toast(`Started pipeline ${pipeline.name}`);
    show(state);
    while (state.status === 'running') {
      await new Promise((r) => setTimeout(r, POLL_MS));
      try {
        state = await api.pipelineRun(experiment.id, state.id);
      } catch (failure) {
        replace(message, failure instanceof ApiFailure ? failure.message : String(failure));
        break;
      }
      show(state);
    }
    run.disabled = false;
  });
  return panel;
}
