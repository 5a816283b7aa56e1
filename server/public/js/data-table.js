import { api, ApiFailure } from './api.js';
import { h, replace, toast } from './dom.js';

const FIXED = [
  { key: 'name', label: 'Name' },
  { key: 'format', label: 'Format' },
  { key: 'date', label: 'Date' },
];

/**
 * The items table: one column per tag key, sortable headers, and inline tag editing. A tag cell
 * is focusable; Enter, F2 or a double click edits it, Enter saves (PATCH, no page reload), Escape
 * cancels, Tab saves and moves on. Arrow keys move between cells. Enter on a name opens the item.
 */
export class DataTable {
  constructor({ onOpenItem, onSort, onAddKey }) {
    this.onOpenItem = onOpenItem;
    this.onSort = onSort;
    this.onAddKey = onAddKey;
    this.table = h('table', { class: 'items', 'aria-label': 'Items', role: 'grid' });
    this.element = h('div', { class: 'table-wrap' }, this.table);
    this.table.addEventListener('keydown', (e) => this.keydown(e));
    this.table.addEventListener('dblclick', (e) => {
      const cell = e.target.closest('td[data-key]');
      if (cell) this.edit(cell);
    });
  }

  /** Renders `page` (from GET .../items) of experiment `experimentId`; `sort` is `{ key, order }`. */
  render(experimentId, page, sort, extraKeys = []) {
    this.experimentId = experimentId;
    const keys = [...page.keys, ...extraKeys.filter((k) => !page.keys.includes(k))];
    this.keys = keys;
    const header = h(
      'tr',
      {},
      h('th', { scope: 'col', class: 'thumb-col' }, h('span', { class: 'sr-only' }, 'Preview')),
      [...FIXED, ...keys.map((k) => ({ key: k, label: k, tag: true }))].map((col) => {
        const sorted = sort?.key === col.key;
        return h(
          'th',
          { scope: 'col', 'aria-sort': sorted ? (sort.order === 'desc' ? 'descending' : 'ascending') : 'none', class: col.tag ? 'tag-col' : '' },
          h(
            'button',
            { type: 'button', class: 'sort', onclick: () => this.onSort(col.key) },
            col.label,
            h('span', { class: 'sort-mark', 'aria-hidden': 'true' }, sorted ? (sort.order === 'desc' ? ' ▼' : ' ▲') : ''),
          ),
        );
      }),
      h(
        'th',
        { scope: 'col', class: 'add-col' },
        h('button', { type: 'button', class: 'link', title: 'Add a tag column', onclick: () => this.askKey() }, '+ tag'),
      ),
    );
    // An item whose data file is gone (the API says `missing`) is marked, not shown as normal: no preview, a badge by its name.
    const rows = page.items.map((item) =>
      h(
        'tr',
        { dataset: { id: item.id }, class: item.missing ? 'missing' : '' },
        h(
          'td',
          { class: 'thumb-col' },
          item.image && !item.missing ? h('img', { src: api.thumbnailUrl(experimentId, item.id), alt: '', loading: 'lazy', width: 96, height: 96 }) : '',
        ),
        h(
          'td',
          { class: 'name', tabindex: '0', dataset: { field: 'name' } },
          h('button', { type: 'button', class: 'link', tabindex: '-1', onclick: () => this.onOpenItem(item) }, item.name),
          item.missing
            ? h(
                'span',
                {
                  class: 'badge failed missing-mark',
                  title: "The data file does not exist (never written, or removed or moved). Run 'bioimageit experiment check'.",
                },
                'data missing',
              )
            : '',
        ),
        h('td', {}, item.format),
        h('td', {}, item.date),
        keys.map((k) =>
          h('td', { tabindex: '0', class: 'tag', dataset: { key: k }, 'aria-label': `${k} of ${item.name}: ${item.tags[k] ?? 'empty'}` }, item.tags[k] ?? ''),
        ),
        h('td', {}),
      ),
    );
    this.items = new Map(page.items.map((i) => [i.id, i]));
    replace(
      this.table,
      h('thead', {}, header),
      h('tbody', {}, rows.length > 0 ? rows : h('tr', {}, h('td', { colspan: String(keys.length + 5), class: 'empty' }, 'No item matches.'))),
    );
  }

  keydown(e) {
    const cell = e.target.closest?.('td');
    if (!cell || e.target.tagName === 'INPUT') return;
    if ((e.key === 'Enter' || e.key === 'F2') && cell.dataset.key) {
      e.preventDefault();
      this.edit(cell);
    } else if (e.key === 'Enter' && cell.dataset.field === 'name') {
      e.preventDefault();
      this.onOpenItem(this.items.get(cell.closest('tr').dataset.id));
    } else if (['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown'].includes(e.key)) {
      const target = neighbour(cell, e.key);
      if (target) {
        e.preventDefault();
        target.focus();
      }
    }
  }

  /** Turns a tag cell into an input; resolves when the edit ended. */
  edit(cell) {
    if (cell.querySelector('input')) return;
    const row = cell.closest('tr');
    const item = this.items.get(row.dataset.id);
    const key = cell.dataset.key;
    const before = item.tags[key] ?? '';
    const input = h('input', { class: 'cell-input', value: before, 'aria-label': `${key} of ${item.name}` });
    let done = false;
    const finish = async (save, move) => {
      if (done) return;
      done = true;
      const value = input.value;
      if (save && value !== before) {
        cell.classList.add('saving');
        try {
          const edit = value === '' ? { remove: [key] } : { set: { [key]: value } };
          const updated = await api.editTags(this.experimentId, item.id, edit);
          this.items.set(item.id, updated);
          item.tags = updated.tags;
          toast(`Saved ${key} = ${value === '' ? '(removed)' : value} on ${item.name}`);
        } catch (error) {
          toast(error instanceof ApiFailure ? error.message : String(error), 'error');
        } finally {
          cell.classList.remove('saving');
        }
      }
      const shown = this.items.get(item.id).tags[key] ?? '';
      replace(cell, shown);
      cell.setAttribute('aria-label', `${key} of ${item.name}: ${shown || 'empty'}`);
      (move ? (neighbour(cell, 'ArrowRight') ?? cell) : cell).focus();
    };
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        void finish(true, false);
      } else if (e.key === 'Escape') {
        e.preventDefault();
        void finish(false, false);
      } else if (e.key === 'Tab') {
        e.preventDefault();
        void finish(true, true);
      }
    });
    input.addEventListener('blur', () => void finish(true, false));
    replace(cell, input);
    input.focus();
    input.select();
  }

  askKey() {
    const th = this.table.querySelector('th.add-col');
    const input = h('input', { class: 'cell-input', placeholder: 'new tag key', 'aria-label': 'New tag key' });
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && input.value.trim() !== '') this.onAddKey(input.value.trim());
      if (e.key === 'Escape' || e.key === 'Enter') replace(th, h('button', { type: 'button', class: 'link', onclick: () => this.askKey() }, '+ tag'));
    });
    replace(th, input);
    input.focus();
  }
}

function neighbour(cell, key) {
  const row = cell.parentElement;
  const cells = [...row.children];
  const index = cells.indexOf(cell);
  if (key === 'ArrowLeft' || key === 'ArrowRight') {
    const step = key === 'ArrowLeft' ? -1 : 1;
    for (let i = index + step; i >= 0 && i < cells.length; i += step) if (cells[i].tabIndex >= 0) return cells[i];
    return undefined;
  }
  const other = key === 'ArrowUp' ? row.previousElementSibling : row.nextElementSibling;
  const target = other?.children[index];
  return target && target.tabIndex >= 0 ? target : undefined;
}
