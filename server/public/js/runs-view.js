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
      // `reload`: events were missed while the connection was down, the run list is re-read
      if ((type === 'run' || type === 'reload') && this.experiment && !this.root.hidden) {
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
              h('span', { class: `badge ${r.status}` }, statusText(r)),
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
            h('td', {}, r.user ?? ''),
          ),
        ),
      ),
    );
    if (ended !== undefined && this.current === ended) await this.open(ended);
  }

  async open(runId) {
    this.current = runId;
    const { record, live, outputs = [], itemNames = {} } = await api.run(this.experiment.id, runId);
    const made = new Map();
    for (const o of outputs) if (o.job) made.set(o.job, [...(made.get(o.job) ?? []), o]);
    const missing = outputs.filter((o) => o.missing).length;
    const engines = record.jobs.map(engineOf);
    const logArea = h('pre', { class: 'log', tabindex: '0', 'aria-label': 'Job log' }, 'Choose a log.');
    const cancel = live?.status === 'running' ? h('button', { type: 'button', class: 'button danger', onclick: () => this.cancel(runId) }, 'Cancel run') : '';
    replace(
      this.details,
      h('h3', { class: 'run-title' }, 'Run ', h('span', { class: 'mono' }, record.id)),
      h(
        'dl',
        { class: 'facts-grid' },
        [
          ['Status', statusText(record)],
          [
            'Tool',
            `${record.tool.name} ${record.tool.version ?? ''} (${[record.tool.id, record.tool.digest ? `digest ${record.tool.digest.slice(0, 12)}` : ''].filter(Boolean).join(', ')})`,
          ],
          ['Parameters', record.parameters.map((p) => `${p.name}=${p.value}`).join(' ') || '(none)'],
          ['Inputs', record.inputs.map((i) => `${i.name} = ${i.dataset}${i.query ? `: ${i.query}` : ''}`).join('; ')],
          record.runner ? ['Runner', `${record.runner}${record.host ? ` on ${record.host}` : ''}${record.user ? `, user ${record.user}` : ''}`] : undefined,
          record.start ? ['Time', `${when(record.start)} → ${record.end ? when(record.end) : '…'}`] : undefined,
          ['Outputs', `${outputs.length} item(s)${missing ? `, ${missing} missing (data file never written or removed)` : ''}`],
        ]
          .filter(Boolean)
          .map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
      ),
      cancel,
      record.jobs.length === 0
        ? outputTable(outputs, itemNames)
        : h(
            'table',
            { class: 'jobs', 'aria-label': 'Jobs' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['Job', 'Status', 'Exit', 'Inputs', 'Outputs', ...(engines.some(Boolean) ? ['Engine'] : []), 'Logs'].map((c) => h('th', { scope: 'col' }, c)),
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
                  h(
                    'td',
                    {},
                    Object.entries(j.inputs)
                      .map(([name, ids]) => `${name}=${ids.map((id) => itemNames[id] ?? id).join(', ')}`)
                      .join(' '),
                  ),
                  h('td', {}, outputList(made.get(j.id) ?? [])),
                  ...(engines.some(Boolean) ? [h('td', { class: 'mono' }, engineOf(j))] : []),
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
      record.jobs.length === 0 ? '' : logArea,
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

/** A run's status for people: v1 records none. */
function statusText(run) {
  return run.recordedBy === 'bioimageit-v1' ? 'unknown (recorded by BioImageIT v1)' : run.status;
}

/** The engine's id of a job: its SLURM job id, or the id of the Docker image it ran in. */
function engineOf(job) {
  const env = job.environment ?? {};
  if (typeof env.slurmJobId === 'string') return `slurm ${env.slurmJobId}`;
  if (typeof env.imageId === 'string') return `docker ${env.imageId.replace(/^(sha256:)?([0-9a-f]{12})[0-9a-f]*$/, '$1$2')}`;
  return '';
}

/** Output names of a job, each marked when its data file does not exist. */
function outputList(outputs) {
  return outputs.map((o, k) => [
    k > 0 ? ', ' : '',
    o.name,
    o.missing ? h('span', { class: 'badge failed', title: 'the data file does not exist' }, 'missing') : '',
  ]);
}

/** The outputs of a run without jobs (BioImageIT v1): each with its inputs, missing data files marked. */
function outputTable(outputs, itemNames) {
  return h(
    'table',
    { class: 'outputs', 'aria-label': 'Outputs' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Output', 'Inputs', 'Data'].map((c) => h('th', { scope: 'col' }, c)),
      ),
    ),
    h(
      'tbody',
      {},
      outputs.map((o) =>
        h(
          'tr',
          {},
          h('td', {}, o.name),
          h('td', {}, o.inputs.map((i) => `${i.name}=${itemNames[i.id] ?? i.id}`).join(' ')),
          h('td', {}, o.missing ? h('span', { class: 'badge failed', title: 'BioImageIT v1 registered it, but the file was never written' }, 'missing') : 'ok'),
        ),
      ),
    ),
  );
}

/** A stored time for people: local date and time, the text as stored when it is no ISO time, a dash when absent (v1 records). */
function when(text) {
  if (!text) return '—';
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? text : date.toLocaleString();
}
