import { api, ApiFailure } from './api.js';
import { DataTable } from './data-table.js';
import { formatCount, h, replace, toast } from './dom.js';
import { QueryBar } from './query-bar.js';

/**
 * The data view: dataset chooser, the query bar, the items table and the pager. Filtering,
 * sorting, paging and tag edits talk to the API; the page never reloads.
 */
export class DataView {
  constructor(root, { onOpenItem }) {
    this.root = root;
    this.state = { dataset: 'data', where: '', offset: 0, limit: 50, sort: undefined };
    this.extraKeys = [];
    this.datasetSelect = h('select', { id: 'dataset-select', onchange: () => this.load({ dataset: this.datasetSelect.value, offset: 0 }) });
    this.query = new QueryBar({ onApply: (where) => this.load({ where, offset: 0 }) });
    this.count = h('span', { class: 'count', id: 'item-count', 'aria-live': 'polite' });
    this.table = new DataTable({
      onOpenItem,
      onSort: (key) => {
        const same = this.state.sort?.key === key;
        this.load({ sort: { key, order: same && this.state.sort.order === 'asc' ? 'desc' : 'asc' }, offset: 0 });
      },
      onAddKey: (key) => {
        if (!this.extraKeys.includes(key)) this.extraKeys.push(key);
        this.render();
      },
    });
    this.prev = h(
      'button',
      { type: 'button', class: 'button', onclick: () => this.load({ offset: Math.max(0, this.state.offset - this.state.limit) }) },
      '← Previous',
    );
    this.next = h('button', { type: 'button', class: 'button', onclick: () => this.load({ offset: this.state.offset + this.state.limit }) }, 'Next →');
    this.pageLabel = h('span', { class: 'page-label' });
    this.bulkKey = h('input', { id: 'bulk-key', class: 'mono', placeholder: 'key', autocomplete: 'off', size: '12' });
    this.bulkValue = h('input', { id: 'bulk-value', class: 'mono', placeholder: 'value (empty: remove)', size: '18', autocomplete: 'off' });
    this.bulkButton = h('button', { type: 'submit', class: 'button' }, 'Apply');
    this.bulk = h(
      'form',
      { class: 'bulk-tags', 'aria-label': 'Tag every selected item', onsubmit: (e) => this.tagAll(e) },
      h('span', { class: 'bulk-title', id: 'bulk-title' }),
      h('label', { for: 'bulk-key', class: 'sr-only' }, 'Tag key'),
      this.bulkKey,
      h('span', { 'aria-hidden': 'true' }, '='),
      h('label', { for: 'bulk-value', class: 'sr-only' }, 'Tag value'),
      this.bulkValue,
      this.bulkButton,
    );
    replace(
      root,
      h(
        'div',
        { class: 'toolbar' },
        h('label', { for: 'dataset-select', class: 'inline-label' }, 'Dataset'),
        this.datasetSelect,
        this.query.element,
        this.count,
      ),
      h(
        'p',
        { class: 'hint', id: 'query-help' },
        'Query language: ',
        h('code', {}, 'Population=population1 AND number>2'),
        ', ',
        h('code', {}, "Well ~ '^B'"),
        ', ',
        h('code', {}, 'number in (001, 005)'),
        '. Press / to focus the query. Enter or double-click a tag cell to edit it.',
      ),
      this.table.element,
      h('div', { class: 'pager' }, this.bulk, this.prev, this.pageLabel, this.next),
    );
  }

  /** Shows experiment `experiment` (from GET /api/experiments/{id}). */
  async show(experiment, dataset = 'data') {
    this.experiment = experiment;
    this.extraKeys = [];
    replace(
      this.datasetSelect,
      experiment.datasets.map((d) => h('option', { value: d.name, selected: d.name === dataset }, `${d.name} (${formatCount(d.itemCount)})`)),
    );
    this.query.value = '';
    this.state = { ...this.state, dataset, where: '', offset: 0, sort: undefined };
    await this.load({});
  }

  async load(change) {
    const next = { ...this.state, ...change };
    try {
      const page = await api.items(this.experiment.id, {
        dataset: next.dataset,
        where: next.where,
        offset: next.offset,
        limit: next.limit,
        sort: next.sort?.key,
        order: next.sort?.order,
      });
      this.state = next;
      this.page = page;
      this.query.clearError();
      this.render();
    } catch (error) {
      if (error instanceof ApiFailure && error.area === 'query') this.query.showError(error.message, error.details.column);
      else toast(error instanceof ApiFailure ? error.message : String(error), 'error');
    }
  }

  render() {
    const { total, offset, items } = this.page;
    this.table.render(this.experiment.id, this.page, this.state.sort, this.extraKeys);
    this.count.textContent = `${formatCount(total)} item${total === 1 ? '' : 's'}${this.state.where.trim() ? ' match' : ''}`;
    this.pageLabel.textContent = total === 0 ? '' : `${formatCount(offset + 1)}–${formatCount(offset + items.length)} of ${formatCount(total)}`;
    this.bulk.querySelector('#bulk-title').textContent =
      `Tag all ${formatCount(total)} item${total === 1 ? '' : 's'}${this.state.where.trim() ? ' matching the query' : ''}:`;
    this.bulkButton.disabled = total === 0;
    this.prev.disabled = offset === 0;
    this.next.disabled = offset + items.length >= total;
  }

  /** Sets (or, with an empty value, removes) one tag on every item the current query selects, in one atomic edit. */
  async tagAll(event) {
    event.preventDefault();
    const key = this.bulkKey.value.trim();
    if (key === '') {
      toast('Give the tag key to set', 'error');
      this.bulkKey.focus();
      return;
    }
    const value = this.bulkValue.value;
    const edit = { dataset: this.state.dataset, where: this.state.where, ...(value === '' ? { remove: [key] } : { set: { [key]: value } }) };
    try {
      const result = await api.editTagsByQuery(this.experiment.id, edit);
      toast(
        `${value === '' ? `Removed ${key} from` : `Set ${key} = ${value} on`} ${formatCount(result.changed)} of ${formatCount(result.selected)} item${result.selected === 1 ? '' : 's'}`,
      );
      await this.load({});
    } catch (error) {
      toast(error instanceof ApiFailure ? error.message : String(error), 'error');
    }
  }

  focusQuery() {
    this.query.input.focus();
  }
}
