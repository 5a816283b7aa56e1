import { h, replace } from './dom.js';

/**
 * The query input of the data table: Enter (or Apply) filters; a malformed query shows the
 * server's message with a caret under the offending column of the input itself (the input uses
 * a monospace font, so column N is N-1 character widths from its text start).
 */
export class QueryBar {
  constructor({ onApply, label = 'Query', placeholder = 'e.g. Population=population1 AND number>2' }) {
    this.onApply = onApply;
    this.input = h('input', {
      type: 'search',
      class: 'query-input mono',
      id: `query-${Math.random().toString(36).slice(2, 8)}`,
      placeholder,
      spellcheck: 'false',
      autocomplete: 'off',
      'aria-describedby': 'query-help',
      onkeydown: (e) => {
        if (e.key === 'Enter') {
          e.preventDefault();
          this.apply();
        } else if (e.key === 'Escape' && this.input.value !== '') {
          this.input.value = '';
          this.apply();
        }
      },
      oninput: () => this.clearError(),
    });
    this.caret = h('div', { class: 'query-caret', 'aria-hidden': 'true', hidden: true }, '▲');
    this.message = h('div', { class: 'query-message', id: `${this.input.id}-error`, role: 'alert' });
    this.element = h(
      'div',
      { class: 'query-bar' },
      h('label', { for: this.input.id, class: 'query-label' }, label),
      h('div', { class: 'query-field' }, this.input, this.caret),
      h('button', { type: 'button', class: 'button', onclick: () => this.apply() }, 'Apply'),
      this.message,
    );
  }

  get value() {
    return this.input.value;
  }

  set value(text) {
    this.input.value = text;
  }

  apply() {
    this.clearError();
    this.onApply(this.input.value);
  }

  /** Shows `message` and, when `column` (1-based) is known, a caret under that column; selects the character there. */
  showError(message, column) {
    this.input.setAttribute('aria-invalid', 'true');
    this.input.setAttribute('aria-errormessage', this.message.id);
    replace(this.message, message);
    if (typeof column === 'number' && column >= 1) {
      placeCaret(this.input, this.caret, column);
      const at = Math.min(column - 1, this.input.value.length);
      this.input.setSelectionRange(at, Math.min(at + 1, this.input.value.length));
    }
  }

  clearError() {
    this.input.removeAttribute('aria-invalid');
    this.caret.hidden = true;
    replace(this.message);
  }
}

/**
 * Shows `caret` (absolutely positioned in the input's parent) under 1-based `column` of a
 * monospace `input`'s text, taking its padding, border and horizontal scroll into account.
 */
export function placeCaret(input, caret, column) {
  const style = getComputedStyle(input);
  const pad = parseFloat(style.paddingLeft) + parseFloat(style.borderLeftWidth);
  caret.style.left = `${input.offsetLeft + pad + (column - 1) * measureChar(style.font) - input.scrollLeft}px`;
  caret.hidden = false;
  caret.dataset.column = String(column);
}

let canvas;
function measureChar(font) {
  canvas ??= document.createElement('canvas');
  const ctx = canvas.getContext('2d');
  ctx.font = font;
  return ctx.measureText('0000000000').width / 10;
}
