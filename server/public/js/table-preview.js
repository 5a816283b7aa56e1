import { api, ApiFailure } from './api.js';
import { formatCount, h, replace } from './dom.js';

/** Rows fetched per page (the first page and each "load more"). */
const PAGE = 50;

/** A number as CSV files write them: integers, decimals (point or comma), exponents, NaN/Inf. */
const NUMBER = /^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$|^[+-]?(nan|inf|infinity)$/i;

/**
 * The table preview of a CSV/TSV item: its header and first rows (fetched from
 * `GET .../items/{item}/table`), a "load more" button while rows follow, numeric columns
 * right-aligned, a sticky header and horizontal scrolling for wide tables. Renders into
 * `container`; errors (a binary or unparseable file) show as a hint naming the line.
 */
export async function showTablePreview(container, experimentId, item) {
  let page;
  try {
    page = await api.table(experimentId, item.id, { offset: 0, limit: PAGE });
  } catch (error) {
    replace(container, h('p', { class: 'hint' }, error instanceof ApiFailure ? error.message : String(error)));
    return;
  }
  if (page.columns.length === 0 && page.rows.length === 0) {
    replace(container, h('p', { class: 'hint' }, `${item.name} is an empty table (no header, no rows).`));
    return;
  }
  const width = Math.max(page.columns.length, ...page.rows.map((r) => r.length));
  const numeric = numericColumns(page.rows, width);
  const body = h('tbody');
  const status = h('p', { class: 'table-more', role: 'status', 'aria-live': 'polite' });
  const more = h('button', { type: 'button', class: 'table-load-more' }, `Load ${PAGE} more rows`);
  let loaded = 0;

  const addRows = (rows) => {
    for (const row of rows) {
      loaded++;
      body.append(
        h(
          'tr',
          {},
          h('th', { scope: 'row', class: 'row-num' }, formatCount(loaded)),
          Array.from({ length: width }, (_, c) => h('td', { class: numeric[c] ? 'num' : undefined }, row[c] ?? '')),
        ),
      );
    }
  };
  const update = (current) => {
    const left = current.totalRows === null ? undefined : current.totalRows - loaded;
    if (!current.truncated) {
      status.textContent = `${formatCount(loaded)} ${loaded === 1 ? 'row' : 'rows'}, all shown`;
      more.hidden = true;
    } else {
      status.textContent =
        left === undefined ? `${formatCount(loaded)} rows shown; more rows follow` : `${formatCount(left)} more ${left === 1 ? 'row' : 'rows'}`;
      more.hidden = false;
    }
  };
  more.addEventListener('click', async () => {
    more.disabled = true;
    try {
      const next = await api.table(experimentId, item.id, { offset: loaded, limit: PAGE });
      addRows(next.rows);
      update(next);
    } catch (error) {
      status.textContent = error instanceof ApiFailure ? error.message : String(error);
    } finally {
      more.disabled = false;
    }
  });

  const header = Array.from({ length: width }, (_, c) => {
    const name = page.columns[c];
    return h('th', { scope: 'col', class: numeric[c] ? 'num' : undefined, title: name }, name ?? `(column ${c + 1})`);
  });
  const total = page.totalRows === null ? 'a large table' : `${formatCount(page.totalRows)} ${page.totalRows === 1 ? 'row' : 'rows'}`;
  const caption = `${item.name}: ${total}, ${formatCount(page.columns.length)} ${page.columns.length === 1 ? 'column' : 'columns'}`;
  addRows(page.rows);
  update(page);
  replace(
    container,
    h(
      'div',
      { class: 'table-preview-scroll', tabindex: '0', role: 'region', 'aria-label': `Table preview of ${item.name}` },
      h(
        'table',
        { class: 'table-preview' },
        h('caption', {}, caption),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col', class: 'row-num' }, h('span', { class: 'sr-only' }, 'Row')), header)),
        body,
      ),
    ),
    h('div', { class: 'table-more-row' }, status, more),
  );
}

/** Per column: whether every non-empty cell of `rows` is a number (and at least one is). */
function numericColumns(rows, width) {
  return Array.from({ length: width }, (_, c) => {
    let seen = false;
    for (const row of rows) {
      const cell = (row[c] ?? '').trim();
      if (cell === '') continue;
      if (!NUMBER.test(cell)) return false;
      seen = true;
    }
    return seen;
  });
}
