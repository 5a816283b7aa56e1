import { api, ApiFailure } from './api.js';
import { DataView } from './data-view.js';
import { h, replace, toast } from './dom.js';
import { ItemPanel } from './item-panel.js';
import { RunEvents } from './run-events.js';
import { RunsView } from './runs-view.js';
import { ToolsView } from './tools-view.js';

const views = ['data', 'tools', 'runs'];
const $ = (id) => document.getElementById(id);
const events = new RunEvents();
let experiment;

const panel = new ItemPanel($('detail'), { onOpenItem: (id) => openItem(id) });
const dataView = new DataView($('view-data'), { onOpenItem: (item) => openItem(item.id) });
const toolsView = new ToolsView($('view-tools'), {
  events,
  onShowOutputs: async (dataset) => {
    experiment = await api.experiment(experiment.id);
    showView('data');
    await dataView.show(experiment, dataset);
  },
  onShowRun: (runId) => showView('runs', runId),
});
const runsView = new RunsView($('view-runs'), { events });

async function openItem(id) {
  try {
    await panel.show(experiment.id, id);
  } catch (error) {
    toast(error instanceof ApiFailure ? error.message : String(error), 'error');
  }
}

/** Switches the visible view without reloading; the address keeps experiment and view for bookmarks. */
async function showView(view, runId) {
  for (const name of views) {
    const tab = $(`tab-${name}`);
    const selected = name === view;
    tab.setAttribute('aria-selected', String(selected));
    tab.tabIndex = selected ? 0 : -1;
    $(`view-${name}`).hidden = !selected;
  }
  if (view !== 'data') panel.hide();
  history.replaceState(null, '', `#/${encodeURIComponent(experiment.id)}/${view}`);
  if (view === 'tools') await toolsView.show(experiment);
  if (view === 'runs') await runsView.show(experiment, runId);
}

async function openExperiment(id, view = 'data') {
  try {
    experiment = await api.experiment(id);
  } catch (error) {
    toast(error instanceof ApiFailure ? error.message : String(error), 'error');
    return;
  }
  for (const li of $('experiments').querySelectorAll('button')) li.setAttribute('aria-current', String(li.dataset.id === id));
  $('experiment-title').textContent = experiment.name;
  $('no-experiment').hidden = true;
  document.title = `${experiment.name} · BioImageIT`;
  panel.hide();
  events.open(experiment.id);
  await dataView.show(experiment);
  await showView(view);
}

async function start() {
  try {
    const [info, experiments] = await Promise.all([api.info(), api.experiments()]);
    $('who').textContent = `${info.user} · v${info.version}`;
    replace(
      $('experiments'),
      experiments.map((e) =>
        h(
          'li',
          {},
          h(
            'button',
            { type: 'button', class: 'experiment', dataset: { id: e.id }, onclick: () => openExperiment(e.id) },
            h('strong', {}, e.name),
            h('small', {}, `${e.author} · ${e.date}`),
          ),
        ),
      ),
    );
    if (experiments.length === 0) replace($('experiments'), h('li', { class: 'hint' }, 'No experiment in this workspace.'));
    const [, wanted, view] = location.hash.split('/');
    const first = experiments.find((e) => e.id === decodeURIComponent(wanted ?? '')) ?? (experiments.length === 1 ? experiments[0] : undefined);
    if (first) await openExperiment(first.id, views.includes(view) ? view : 'data');
  } catch (error) {
    const message =
      error instanceof ApiFailure && error.status === 401
        ? 'This server needs a token: open the address that bioimageit serve printed (with ?token=…).'
        : error.message;
    toast(message, 'error');
  }
}

const tabs = $('tab-data').parentElement;
tabs.addEventListener('click', (e) => {
  const tab = e.target.closest('[role=tab]');
  if (tab && experiment) void showView(tab.dataset.view);
});
tabs.addEventListener('keydown', (e) => {
  if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
  const current = views.findIndex((v) => $(`tab-${v}`).getAttribute('aria-selected') === 'true');
  const next = views[(current + (e.key === 'ArrowRight' ? 1 : views.length - 1)) % views.length];
  $(`tab-${next}`).focus();
  if (experiment) void showView(next);
});
document.addEventListener('keydown', (e) => {
  const typing = ['INPUT', 'SELECT', 'TEXTAREA'].includes(document.activeElement?.tagName ?? '');
  if (e.key === '/' && !typing && experiment) {
    e.preventDefault();
    showView('data').then(() => dataView.focusQuery());
  } else if (e.key === 'Escape' && !$('detail').hidden && (!typing || $('detail').contains(document.activeElement))) {
    panel.hide();
  }
});

void start();
