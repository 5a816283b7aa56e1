import { api, ApiFailure } from './api.js';
import { h, replace, toast } from './dom.js';
import { pipelinePanel } from './pipeline-panel.js';
import { progressPanel } from './progress-panel.js';
import { toolForm } from './tool-form.js';

/**
 * The "Run a tool" view: the tool list and the workspace's pipelines, the selected tool's
 * generated form (or the selected pipeline's steps and Run button), and live progress of runs
 * started here.
 */
export class ToolsView {
  constructor(root, { events, onShowOutputs, onShowRun }) {
    this.root = root;
    this.events = events;
    this.callbacks = { onShowOutputs, onShowRun };
    this.list = h('ul', { class: 'tool-list', 'aria-label': 'Tools' });
    this.pipelineList = h('ul', { class: 'tool-list pipeline-list', 'aria-label': 'Pipelines' });
    this.formArea = h('div', { class: 'form-area' }, h('p', { class: 'empty-state' }, 'Choose a tool.'));
    this.progress = h('div', { class: 'progress-area' });
    replace(
      root,
      h(
        'div',
        { class: 'tools-layout' },
        h('nav', { 'aria-label': 'Tools' }, h('h2', {}, 'Tools'), this.list, h('h2', { id: 'pipelines-title' }, 'Pipelines'), this.pipelineList),
        h('div', {}, this.formArea, this.progress),
      ),
    );
  }

  async show(experiment) {
    this.experiment = experiment;
    const [tools, pipelines] = await Promise.all([api.tools(), api.pipelines()]);
    this.pipelines = pipelines;
    replace(
      this.pipelineList,
      pipelines.map((p) =>
        h(
          'li',
          {},
          h(
            'button',
            { type: 'button', class: 'tool-button pipeline-button', dataset: { pipeline: p.name }, onclick: () => this.selectPipeline(p.name) },
            h('strong', {}, p.name),
            h('small', {}, p.error ? `${p.file}: cannot run` : p.steps.map((s) => s.name).join(' → ')),
          ),
        ),
      ),
    );
    if (pipelines.length === 0)
      replace(this.pipelineList, h('li', { class: 'hint' }, 'No pipelines: add pipeline JSON files to the workspace folder "pipelines/".'));
    replace(
      this.list,
      tools.map((t) =>
        h(
          'li',
          {},
          h(
            'button',
            { type: 'button', class: 'tool-button', dataset: { tool: t.id }, onclick: () => this.select(t.id) },
            t.cover ? h('img', { class: 'tool-list-cover', src: t.cover, alt: '', loading: 'lazy' }) : '',
            h('strong', {}, t.name),
            h('small', {}, `${t.id} ${t.version}`),
          ),
        ),
      ),
    );
    if (tools.length === 0) replace(this.list, h('li', { class: 'hint' }, 'No tools: add folders to "tools.dirs" in bioimageit.config.json.'));
  }

  selectPipeline(name) {
    this.markCurrent((b) => b.dataset.pipeline === name);
    const pipeline = this.pipelines.find((p) => p.name === name);
    replace(this.formArea, pipelinePanel(pipeline, this.experiment, { events: this.events, progressArea: this.progress, ...this.callbacks }));
    this.formArea.querySelector('#run-pipeline')?.focus();
  }

  markCurrent(isCurrent) {
    for (const b of this.root.querySelectorAll('.tool-button')) b.setAttribute('aria-current', String(isCurrent(b)));
  }

  async select(id) {
    this.markCurrent((b) => b.dataset.tool === id);
    try {
      const tool = await api.tool(id);
      replace(this.formArea, toolForm(tool, this.experiment, { onSubmit: (body) => this.start(body) }));
      this.formArea.querySelector('input, select')?.focus();
    } catch (error) {
      toast(error instanceof ApiFailure ? error.message : String(error), 'error');
    }
  }

  async start(body) {
    const run = await api.startRun(this.experiment.id, body);
    toast(`Started run ${run.runId.slice(0, 8)} (${run.jobCount} job${run.jobCount === 1 ? '' : 's'})`);
    this.progress.prepend(progressPanel(run, this.events, this.callbacks));
  }
}
