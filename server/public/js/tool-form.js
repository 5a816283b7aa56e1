import { api, ApiFailure } from './api.js';
import { formatCount, h, replace } from './dom.js';
import { placeCaret } from './query-bar.js';

/**
 * Builds the run form of one tool from GET /api/tools/{id}: per data input a dataset and a query
 * (with a live count of the items it selects), per parameter a control generated from the
 * parameter's JSON Schema (integer/number → number field with bounds, boolean → checkbox, enum →
 * select, string → text; `x-advanced` ones in a collapsed section), the output dataset and the
 * number of parallel jobs; for several data inputs how to pair them (tag keys or position) and
 * which input's one item goes to every job (broadcast: ticked by itself when an input selects one
 * item and another several, until the user decides); for reduce tools the tags to group by and to
 * order each group by. "Pair by" is prefilled only with the tag keys every paired input's items
 * carry (never with every key of the experiment). Submitting hands the run request body to
 * `onSubmit`, or shows what is wrong.
 */
export function toolForm(tool, experiment, { onSubmit }) {
  const form = h('form', { class: 'tool-form', novalidate: true, 'aria-labelledby': 'tool-title' });
  const controls = [];
  const several = tool.dataInputs.length > 1;
  const inputs = tool.dataInputs.map((input) => dataInputControls(input, experiment, { broadcastable: several, onChange: () => suggestPairing() }));
  const params = Object.entries(tool.parameters.properties).map(([name, schema]) => parameterControl(name, schema, tool.parameters.required.includes(name)));
  const basic = params.filter((p) => !p.advanced);
  const advanced = params.filter((p) => p.advanced);
  const output = h('input', {
    id: 'output-dataset',
    required: true,
    value: tool.id
      .split('.')
      .pop()
      .replace(/[^A-Za-z0-9_.-]/g, '_'),
    pattern: '[A-Za-z0-9][A-Za-z0-9 _.\\-]*',
  });
  const jobs = h('input', { id: 'jobs', type: 'number', min: '1', max: '16', value: '2' });
  const keyList = h(
    'datalist',
    { id: 'tag-keys' },
    experiment.keys.map((k) => h('option', { value: k })),
  );
  const matchBy = h('input', {
    id: 'match-by',
    list: 'tag-keys',
    placeholder: 'tag keys, comma-separated (e.g. Population, number)',
    oninput: () => (matchBy.dataset.edited = 'true'),
  });
  const byPosition = h('input', { id: 'match-position', type: 'checkbox', onchange: () => (matchBy.disabled = byPosition.checked) });
  const groupBy = h('input', { id: 'group-by', list: 'tag-keys', placeholder: 'tag keys, comma-separated; empty: one group of everything' });
  const orderBy = h('input', { id: 'order-by', list: 'tag-keys', placeholder: 'tag keys, e.g. T (numbers in numeric order)' });
  /** Ticks broadcast for a lone item facing several, and prefills "pair by" with the keys all paired inputs share. */
  function suggestPairing() {
    if (!several) return;
    const counts = inputs.map((i) => i.count());
    if (counts.some((c) => c === undefined)) return;
    inputs.forEach((input, k) => input.suggestBroadcast(counts[k] === 1 && counts.some((c, j) => j !== k && c > 1)));
    if (matchBy.dataset.edited === 'true') return;
    const paired = inputs.filter((i) => !i.broadcast());
    const shared = paired.length < 2 ? [] : paired.map((i) => i.keys()).reduce((a, b) => a.filter((k) => b.includes(k)));
    matchBy.value = shared.join(', ');
  }
  const pairing =
    tool.dataInputs.length > 1
      ? h(
          'fieldset',
          {},
          h('legend', {}, 'Pairing'),
          field('match-by', 'Pair inputs by tags', matchBy, 'items of the inputs with the same values of these tags go to one job'),
          h('div', { class: 'field' }, h('label', { for: 'match-position' }, 'Pair by position (v1)'), byPosition),
        )
      : '';
  const grouping =
    tool.type === 'reduce'
      ? h(
          'fieldset',
          {},
          h('legend', {}, 'Groups'),
          field('group-by', 'Group by tags', groupBy, 'one job per group of items sharing these tag values'),
          field('order-by', 'Order each group by', orderBy, 'the order in which the tool receives a group, e.g. T for a time series'),
        )
      : '';
  const keysOf = (text) =>
    text
      .split(',')
      .map((k) => k.trim())
      .filter((k) => k !== '');
  const error = h('div', { class: 'form-error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'button primary' }, 'Run');
  controls.push(...inputs, ...params);
  replace(
    form,
    tool.cover ? h('img', { class: 'tool-cover', src: tool.cover, alt: `cover of ${tool.name}` }) : '',
    h('h2', { id: 'tool-title' }, `${tool.name} `, h('span', { class: 'version' }, tool.version)),
    h('p', { class: 'description' }, tool.description),
    aboutTool(tool),
    tool.help ? h('details', {}, h('summary', {}, 'Help'), h('p', {}, tool.help)) : '',
    keyList,
    h(
      'fieldset',
      {},
      h('legend', {}, 'Input data'),
      inputs.map((i) => i.element),
    ),
    pairing,
    grouping,
    basic.length > 0
      ? h(
          'fieldset',
          {},
          h('legend', {}, 'Parameters'),
          basic.map((p) => p.element),
        )
      : '',
    advanced.length > 0
      ? h(
          'details',
          { class: 'advanced' },
          h('summary', {}, 'Advanced parameters'),
          advanced.map((p) => p.element),
        )
      : '',
    h('fieldset', {}, h('legend', {}, 'Output'), field('output-dataset', 'Output dataset', output), field('jobs', 'Parallel jobs', jobs)),
    error,
    h('div', { class: 'actions' }, submit),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    replace(error);
    const problems = controls.flatMap((c) => c.problems());
    if (output.value.trim() === '') problems.push('Output dataset is required');
    if (problems.length > 0) {
      replace(error, problems.join('. '));
      return;
    }
    const body = {
      tool: tool.id,
      inputs: inputs.map((i) => i.value()),
      params: Object.fromEntries(params.map((p) => [p.name, p.value()]).filter(([, v]) => v !== undefined)),
      outputDataset: output.value.trim(),
      jobs: Number(jobs.value) || 1,
    };
    if (tool.dataInputs.length > 1) {
      if (byPosition.checked) body.matchBy = 'position';
      else if (keysOf(matchBy.value).length > 0) body.matchBy = keysOf(matchBy.value);
    }
    if (tool.type === 'reduce' && keysOf(groupBy.value).length > 0) body.groupBy = keysOf(groupBy.value);
    if (tool.type === 'reduce' && keysOf(orderBy.value).length > 0) body.orderBy = keysOf(orderBy.value);
    submit.disabled = true;
    try {
      await onSubmit(body);
    } catch (failure) {
      replace(error, failure instanceof ApiFailure ? failure.message : String(failure));
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

function field(id, label, control, help) {
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, help ? h('small', { class: 'hint' }, help) : '');
}

function dataInputControls(input, experiment, { broadcastable, onChange }) {
  const id = `input-${input.name}`;
  const dataset = h(
    'select',
    { id: `${id}-dataset`, 'aria-label': `${input.label}: dataset` },
    experiment.datasets.map((d) => h('option', { value: d.name }, d.name)),
  );
  const query = h('input', { id: `${id}-query`, class: 'mono', placeholder: 'query (empty: all items)', spellcheck: 'false', autocomplete: 'off' });
  const count = h('output', { class: 'match-count', id: `${id}-count`, 'aria-live': 'polite' });
  const caret = h('div', { class: 'query-caret', 'aria-hidden': 'true', hidden: true }, '▲');
  const broadcast = h('input', { id: `${id}-broadcast`, type: 'checkbox', onchange: () => ((broadcast.dataset.edited = 'true'), onChange()) });
  let selected;
  let keys = [];
  let timer;
  const refresh = () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      try {
        const page = await api.items(experiment.id, { dataset: dataset.value, where: query.value, limit: 200 });
        selected = page.total;
        keys = page.items.length === 0 ? [] : page.items.map((i) => Object.keys(i.tags ?? {})).reduce((a, b) => a.filter((k) => b.includes(k)));
        count.textContent = `${formatCount(page.total)} item${page.total === 1 ? '' : 's'} selected`;
        count.classList.remove('bad');
        query.removeAttribute('aria-invalid');
        caret.hidden = true;
        onChange();
      } catch (error) {
        selected = undefined;
        count.textContent = error instanceof ApiFailure ? error.message : String(error);
        count.classList.add('bad');
        query.setAttribute('aria-invalid', 'true');
        if (error instanceof ApiFailure && typeof error.details.column === 'number') placeCaret(query, caret, error.details.column);
      }
    }, 250);
  };
  query.addEventListener('input', refresh);
  dataset.addEventListener('change', refresh);
  refresh();
  return {
    element: h(
      'div',
      { class: 'data-input' },
      h(
        'div',
        { class: 'field' },
        h('label', { for: `${id}-query` }, `${input.label}${input.format ? ` (${input.format})` : ''}`),
        h('div', { class: 'row query-field' }, dataset, query, caret),
      ),
      count,
      broadcastable
        ? h(
            'div',
            { class: 'field checkbox' },
            h('label', { for: `${id}-broadcast` }, 'Give its one item to every job (broadcast)'),
            broadcast,
            h('small', { class: 'hint' }, 'for a PSF, a reference or a model: the other inputs are paired, this one joins each job'),
          )
        : '',
    ),
    value: () => ({ name: input.name, dataset: dataset.value, query: query.value, ...(broadcast.checked && { broadcast: true }) }),
    count: () => selected,
    keys: () => keys,
    broadcast: () => broadcast.checked,
    suggestBroadcast: (on) => {
      if (broadcast.dataset.edited !== 'true') broadcast.checked = on;
    },
    problems: () => (count.classList.contains('bad') ? [`${input.label}: ${count.textContent}`] : []),
  };
}

function parameterControl(name, schema, required) {
  const id = `param-${name}`;
  let control;
  let read;
  if (schema.type === 'boolean') {
    control = h('input', { id, type: 'checkbox', checked: schema.default === true });
    read = () => control.checked;
  } else if (Array.isArray(schema.enum)) {
    const labels = schema['x-enum-labels'] ?? schema.enum;
    control = h(
      'select',
      { id },
      required || schema.default !== undefined ? '' : h('option', { value: '' }, '(not set)'),
      schema.enum.map((v, i) => h('option', { value: v, selected: v === schema.default }, labels[i] ?? v)),
    );
    read = () => (control.value === '' ? undefined : control.value);
  } else if (schema.type === 'integer' || schema.type === 'number') {
    control = h('input', {
      id,
      type: 'number',
      step: schema.type === 'integer' ? '1' : 'any',
      min: schema.minimum,
      max: schema.maximum,
      value: schema.default ?? '',
      required,
    });
    read = () => (control.value === '' ? undefined : Number(control.value));
  } else {
    control = h('input', { id, value: schema.default ?? '', required });
    read = () => (control.value === '' ? undefined : control.value);
  }
  const bounds = schema.minimum !== undefined || schema.maximum !== undefined ? `${schema.minimum ?? '−∞'} … ${schema.maximum ?? '∞'}` : undefined;
  return {
    name,
    advanced: schema['x-advanced'] === true,
    element: field(id, `${schema.title ?? name}${required ? ' *' : ''}`, control, [schema.description, bounds].filter(Boolean).join(' · ') || undefined),
    value: read,
    problems: () => {
      const v = read();
      if (v === undefined) return required ? [`${schema.title ?? name} is required`] : [];
      if (typeof v === 'number' && (Number.isNaN(v) || (schema.type === 'integer' && !Number.isInteger(v))))
        return [`${schema.title ?? name} must be ${schema.type === 'integer' ? 'a whole number' : 'a number'}`];
      if (typeof v === 'number' && schema.minimum !== undefined && v < schema.minimum) return [`${schema.title ?? name} must be ≥ ${schema.minimum}`];
      if (typeof v === 'number' && schema.maximum !== undefined && v > schema.maximum) return [`${schema.title ?? name} must be ≤ ${schema.maximum}`];
      return [];
    },
  };
}

/** Who made the tool, its licence and what to cite (model tools carry them), or nothing. */
function aboutTool(tool) {
  const rows = [];
  if (tool.authors?.length) rows.push(['Authors', tool.authors.join('; ')]);
  if (tool.license) rows.push(['Licence', tool.license]);
  for (const c of tool.cite ?? []) {
    const link = c.doi ? `https://doi.org/${c.doi}` : c.url;
    rows.push(['Cite', link ? h('a', { href: link, target: '_blank', rel: 'noopener noreferrer' }, c.text) : c.text]);
  }
  if (rows.length === 0) return '';
  return h(
    'dl',
    { class: 'tool-about' },
    rows.map(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]),
  );
}
