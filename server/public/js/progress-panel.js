import { h, replace } from './dom.js';

/**
 * A run's live progress: a progress bar fed by the `run` events of the event stream (jobs finished
 * plus the progress lines of running ones), the status, and links once the run has ended.
 */
export function progressPanel(run, events, { onShowOutputs, onShowRun }) {
  const bar = h('div', { class: 'bar-fill' });
  const track = h(
    'div',
    {
      class: 'bar',
      role: 'progressbar',
      'aria-valuemin': '0',
      'aria-valuemax': '100',
      'aria-valuenow': '0',
      'aria-label': `Progress of run ${run.runId.slice(0, 8)}`,
    },
    bar,
  );
  const status = h('p', { class: 'run-status', 'aria-live': 'polite' });
  const links = h('div', { class: 'actions' });
  const panel = h(
    'section',
    { class: 'progress-panel', 'aria-label': 'Run progress', dataset: { run: run.runId } },
    h('h3', {}, `Run ${run.runId.slice(0, 8)} · ${run.tool} → ${run.dataset}`),
    track,
    status,
    links,
  );
  const show = (live) => {
    const percent = Math.round(live.fraction * 100);
    bar.style.width = `${percent}%`;
    track.setAttribute('aria-valuenow', String(percent));
    panel.dataset.status = live.status;
    status.textContent =
      live.status === 'running'
        ? `Running: ${live.finished} of ${live.jobCount} job${live.jobCount === 1 ? '' : 's'} done (${percent}%)`
        : `${live.status[0].toUpperCase()}${live.status.slice(1)}: ${live.finished} of ${live.jobCount} job${live.jobCount === 1 ? '' : 's'} ended${live.failed ? `, ${live.failed} failed` : ''}${live.error ? ` — ${live.error}` : ''}`;
    if (live.status !== 'running') {
      unsubscribe();
      replace(
        links,
        h('button', { type: 'button', class: 'button', onclick: () => onShowOutputs(live.dataset) }, `Show outputs (${live.dataset})`),
        h('button', { type: 'button', class: 'button', onclick: () => onShowRun(live.runId) }, 'Open run'),
      );
    }
  };
  const unsubscribe = events.subscribe((type, data) => {
    if (type === 'run' && data.runId === run.runId) show(data);
  });
  show(run);
  return panel;
}
