import { api, ApiFailure } from './api.js';
import { h, replace, toast } from './dom.js';
import { progressPanel } from './progress-panel.js';
import { toolForm } from './tool-form.js';

/** The "Run a tool" view: the tool list, the selected tool's generated form, and live progress of runs started here. */
export class ToolsView {
  constructor(root, { events, onShowOutputs, onShowRun }) {
    this.root = root;
    this.events = events;
    this.callbacks = { onShowOutputs, onShowRun };
    this.list = h('ul', { class: 'tool-list', 'aria-label': 'Tools' });
    this.formArea = h('div', { class: 'form-area' }, h('p', { class: 'empty-state' }, 'Choose a tool.'));
    this.progress = h('div', { class: 'progress-area' });
    replace(
      root,
      h('div', { class: 'tools-layout' }, h('nav', { 'aria-label': 'Tools' }, h('h2', {}, 'Tools'), this.list), h('div', {}, this.formArea, this.progress)),
    );
  }

  async show(experiment) {
    this.experiment = experiment;
    const tools = await api.tools();
    replace(
      this.list,
      tools.map((t) =>
        h(
          'li',
          {},
          h(
            'button',
            { type: 'button', class: 'tool-button', dataset: { tool: t.id }, onclick: () => this.select(t.id) },
            h('strong', {}, t.name),
            h('small', {}, `${t.id} ${t.version}`),
          ),
        ),
      ),
    );
    if (tools.length === 0) replace(this.list, h('li', { class: 'hint' }, 'No tools: add folders to "tools.dirs" in bioimageit.config.json.'));
  }

  async select(id) {
    for (const b of this.list.querySelectorAll('.tool-button')) b.setAttribute('aria-current', String(b.dataset.tool === id));
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
