import { api, ApiFailure } from './api.js';
import { h, replace, toast } from './dom.js';

/** The run history: every run of the experiment (newest first), one run's facts and jobs, and a job's logs. */
export class RunsView {
  constructor(root, { events }) {
    this.root = root;
    this.table = h('table', { class: 'runs', 'aria-label': 'Runs' });
    this.details = h('div', { class: 'run-details' });
    replace(root, h('h2', {}, 'Run history'), h('div', { class: 'table-wrap' }, this.table), this.details);
    events.subscribe((type, data) => {
      if (type === 'run' && this.experiment && !this.root.hidden) {
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.refresh(data.status !== 'running' ? data.runId : undefined), 300);
      }
    });
  }

  async show(experiment, runId) {
    this.experiment = experiment;
    await this.refresh();
    if (runId) await this.open(runId);
  }

  async refresh(ended) {
    const runs = (await api.runs(this.experiment.id)).reverse();
    replace(
      this.table,
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Run', 'Tool', 'Output dataset', 'Status', 'Jobs', 'Started', 'User'].map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      h(
        'tbody',
        {},
        runs.map((r) =>
          h(
            'tr',
            { dataset: { run: r.id } },
            h('td', {}, h('button', { type: 'button', class: 'link mono', onclick: () => this.open(r.id) }, r.id.slice(0, 8))),
            h('td', {}, `${r.tool.name} ${r.tool.version}`),
            h('td', {}, r.dataset),
            h(
              'td',
              {},
              h('span', { class: `badge ${r.status}` }, r.status),
              r.live && r.live.status === 'running' ? ` ${Math.round(r.live.fraction * 100)}%` : '',
            ),
            h(
              'td',
              {},
              r.jobs.total === 0
                ? h('span', { class: 'hint', title: 'BioImageIT v1 kept no job records' }, 'v1 run')
                : `${r.jobs.succeeded + r.jobs.cached}/${r.jobs.total}${r.jobs.failed ? ` (${r.jobs.failed} failed)` : ''}`,
            ),
            h('td', {}, when(r.start)),
            h('td', {}, r.user),
          ),
        ),
      ),
    );
    if (ended !== undefined && this.current === ended) await this.open(ended);
  }

  async open(runId) {
    this.current = runId;
    const { record, live } = await api.run(this.experiment.id, runId);
    const logArea = h('pre', { class: 'log', tabindex: '0', 'aria-label': 'Job log' }, 'Choose a log.');
    const cancel = live?.status === 'running' ? h('button', { type: 'button', class: 'button danger', onclick: () => this.cancel(runId) }, 'Cancel run') : '';
    replace(
      this.details,
      h('h3', { class: 'run-title' }, 'Run ', h('span', { class: 'mono' }, record.id)),
      h(
        'dl',
        { class: 'facts-grid' },
        [
          ['Status', record.status],
          ['Tool', `${record.tool.name} ${record.tool.version} (${record.tool.id}, digest ${record.tool.digest.slice(0, 12)})`],
          ['Parameters', record.parameters.map((p) => `${p.name}=${p.value}`).join(' ') || '(none)'],
          ['Inputs', record.inputs.map((i) => `${i.name} = ${i.dataset}${i.query ? `: ${i.query}` : ''}`).join('; ')],
          ['Runner', `${record.runner} on ${record.host}`],
          ['Time', `${when(record.start)} → ${record.end ? when(record.end) : '…'}`],
        ].map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
      ),
      cancel,
      h(
        'table',
        { class: 'jobs', 'aria-label': 'Jobs' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Job', 'Status', 'Exit', 'Outputs', 'Logs'].map((c) => h('th', { scope: 'col' }, c)),
          ),
        ),
        h(
          'tbody',
          {},
          record.jobs.map((j) =>
            h(
              'tr',
              {},
              h('td', { class: 'mono' }, j.id),
              h('td', {}, h('span', { class: `badge ${j.status}` }, j.status), j.error ? h('small', { class: 'hint' }, ` ${j.error}`) : ''),
              h('td', {}, j.exitCode ?? ''),
              h('td', {}, String(j.outputs.length)),
              h(
                'td',
                {},
                ['stdout', 'stderr']
                  .filter((s) => j[s])
                  .map((s) => h('button', { type: 'button', class: 'link', onclick: () => this.showLog(record.id, j.id, s, logArea) }, s)),
              ),
            ),
          ),
        ),
      ),
      logArea,
    );
  }

  async showLog(runId, jobId, stream, area) {
    try {
      area.textContent = (await api.log(this.experiment.id, runId, jobId, stream)) || '(empty)';
      area.focus();
    } catch (error) {
      area.textContent = error instanceof ApiFailure ? error.message : String(error);
    }
  }

  async cancel(runId) {
    try {
      await api.cancelRun(this.experiment.id, runId);
      toast(`Cancelling run ${runId.slice(0, 8)}`);
    } catch (error) {
      toast(error instanceof ApiFailure ? error.message : String(error), 'error');
    }
  }
}

/** A stored time for people: local date and time, the text as stored when it is no ISO time, a dash when absent (v1 records). */
function when(text) {
  if (!text) return '—';
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? text : date.toLocaleString();
}
