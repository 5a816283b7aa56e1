import { api } from './api.js';
import { h, replace, toast } from './dom.js';

/** Longest side the server draws (its `size` limit). */
const MAX_SIZE = 2048;
/** Most zoom: this many screen pixels per image pixel. */
const MAX_ZOOM = 32;

/**
 * The image viewer of the item panel, as OMERO.web and napari show images: the composite of all
 * channels in their colours, each toggled and given its own display range (from the server: the
 * percentiles of the whole stack, so the range stays put as z moves; editable here), z and t
 * sliders, maximum projection, a scale bar from the physical pixel size, and zoom (wheel, +/−,
 * double-click) and pan (drag, arrow keys) down to full resolution. The server draws exactly the
 * region shown at the size shown (`preview.png?region=…&size=…`), one request at a time: a newer
 * view waits for the image in flight, then only the latest is fetched. Layers drawn over the image
 * (tracks: see track-layer.js) follow the zoom, pan and time point. An animated PNG plays as
 * stored (the browser animates it) until "Play animation" is unticked.
 */
export class ImageViewer {
  /**
   * @param {HTMLElement} container where the viewer goes
   * @param {{ experimentId: string, item: { id: string, name: string }, info: object }} options
   *   `info` is the answer of `GET …/image` (geometry, physical sizes, channels with windows)
   */
  constructor(container, { experimentId, item, info }) {
    this.container = container;
    this.experimentId = experimentId;
    this.item = item;
    this.info = info;
    this.z = Math.floor(info.sizeZ / 2);
    this.t = 0;
    this.mip = false;
    this.channels = info.channels.map((c) => ({
      name: c.name ?? (info.samples >= 3 ? 'RGB' : `Channel ${c.index + 1}`),
      color: c.color,
      active: true,
      start: c.window?.start ?? 0,
      end: c.window?.end ?? 1,
      auto: c.window ?? { start: 0, end: 1, min: 0, max: 1 },
    }));
    this.center = { x: info.width / 2, y: info.height / 2 };
    this.zoom = undefined; // screen pixels per image pixel; undefined: fit
    this.loading = false;
    this.pending = undefined;
    this.layers = [];
    this.animating = info.animation !== undefined;
    this.build();
  }

  build() {
    const info = this.info;
    this.img = h('img', { class: 'preview-image viewer-image', alt: `Preview of ${this.item.name}`, draggable: 'false' });
    this.barLine = h('span', { class: 'scale-bar-line' });
    this.barLabel = h('span', { class: 'scale-bar-label' });
    this.scaleBar = h('div', { class: 'scale-bar', id: 'scale-bar', hidden: true }, this.barLine, this.barLabel);
    this.viewport = h(
      'div',
      { class: 'viewer', tabindex: '0', role: 'img', 'aria-label': `${this.item.name}: scroll or +/− to zoom, drag or arrow keys to pan` },
      this.img,
      this.scaleBar,
    );
    this.zoomLabel = h('output', { class: 'zoom-value', id: 'zoom-value' });
    const button = (label, title, onclick, id) => h('button', { type: 'button', class: 'small-button', title, 'aria-label': title, onclick, id }, label);
    const zoomRow = h(
      'div',
      { class: 'viewer-tools' },
      button('−', 'Zoom out', () => this.zoomBy(1 / 1.5), 'zoom-out'),
      button('+', 'Zoom in', () => this.zoomBy(1.5), 'zoom-in'),
      button('Fit', 'Fit the image to the view', () => this.fit(), 'zoom-fit'),
      button('1:1', 'One image pixel per screen pixel', () => this.setZoom(1 / (window.devicePixelRatio || 1)), 'zoom-one'),
      this.zoomLabel,
    );

    this.zLabel = h('output', { id: 'z-value', for: 'z-slider' });
    this.zSlider = h('input', { type: 'range', id: 'z-slider', min: '0', max: String(info.sizeZ - 1), value: String(this.z), disabled: info.sizeZ === 1 });
    this.zSlider.addEventListener('input', () => {
      this.z = Number(this.zSlider.value);
      this.update();
    });
    this.mipBox = h('input', { type: 'checkbox', id: 'mip', disabled: info.sizeZ === 1 });
    this.mipBox.addEventListener('change', () => {
      this.mip = this.mipBox.checked;
      this.update();
    });
    const rows = [
      info.animation
        ? h(
            'div',
            { class: 'slider-row' },
            this.animateBox(),
            h('label', { for: 'animate' }, `Play animation (${info.animation.frames} frames${info.animation.plays ? `, ${info.animation.plays}×` : ''})`),
          )
        : undefined,
      h('div', { class: 'slider-row' }, h('label', { for: 'z-slider' }, 'Z plane'), this.zSlider, this.zLabel),
      h('div', { class: 'slider-row' }, this.mipBox, h('label', { for: 'mip' }, 'Maximum projection')),
    ];
    if (info.sizeT > 1) {
      this.tLabel = h('output', { id: 't-value', for: 't-slider' });
      this.tSlider = h('input', { type: 'range', id: 't-slider', min: '0', max: String(info.sizeT - 1), value: '0' });
      this.tSlider.addEventListener('input', () => {
        this.t = Number(this.tSlider.value);
        this.update();
      });
      rows.push(h('div', { class: 'slider-row' }, h('label', { for: 't-slider' }, 'Time point'), this.tSlider, this.tLabel));
    }
    this.layerPanels = h('div', { class: 'layer-panels' });
    replace(
      this.container,
      this.viewport,
      zoomRow,
      ...rows,
      this.layerPanels,
      this.channelTable(),
      h('p', { class: 'facts' }, this.factsLine()),
      info.pixelsError ? h('p', { class: 'hint' }, info.pixelsError) : undefined,
    );
    this.bindPointer();
    this.img.addEventListener('load', () => this.loaded());
    this.img.addEventListener('error', () => {
      this.loaded();
      toast(`The preview of ${this.item.name} could not be rendered`, 'error');
    });
    this.resizeObserver = new ResizeObserver(() => this.update());
    this.resizeObserver.observe(this.viewport);
    this.update();
  }

  /** The "Play animation" checkbox of an animated PNG (ticked: the stored file plays, fitted to the view). */
  animateBox() {
    const box = h('input', { type: 'checkbox', id: 'animate', checked: true });
    box.checked = true;
    box.addEventListener('change', () => {
      this.animating = box.checked;
      if (this.animating) this.zoom = undefined;
      this.update();
    });
    return box;
  }

  /**
   * Adds a layer drawn over the image: `layer.element` goes over the image, `layer.panel` (its
   * controls) below the sliders, and `layer.draw(view)` runs on every change of view.
   */
  addLayer(layer) {
    this.layers.push(layer);
    this.viewport.append(layer.element);
    if (layer.panel) this.layerPanels.append(layer.panel);
    this.update();
  }

  /** Moves the time slider to `t` (clamped to the image's time points). */
  setT(t) {
    if (!this.tSlider) return;
    this.t = Math.max(0, Math.min(this.info.sizeT - 1, Math.round(t)));
    this.tSlider.value = String(this.t);
    this.update();
  }

  /** One row per channel: shown or not, colour, name, display range (start, end) and a reset to the stack's range. */
  channelTable() {
    const rgb = this.info.samples >= 3;
    const rows = this.channels.map((channel, c) => {
      const id = `channel-${c}`;
      const toggle = h('input', { type: 'checkbox', id: `${id}-on`, checked: true, 'aria-label': `Show ${channel.name}`, disabled: rgb });
      toggle.checked = true;
      toggle.addEventListener('change', () => {
        channel.active = toggle.checked;
        this.update();
      });
      const colour = h('input', { type: 'color', id: `${id}-color`, value: channel.color, 'aria-label': `Colour of ${channel.name}`, disabled: rgb });
      colour.addEventListener('input', () => {
        channel.color = colour.value;
        this.update();
      });
      const step = this.info.dtype.startsWith('float') ? 'any' : '1';
      const number = (key, label) => {
        const input = h('input', {
          type: 'number',
          id: `${id}-${key}`,
          class: 'window-input',
          step,
          value: format(channel[key]),
          'aria-label': `${label} of ${channel.name}`,
        });
        input.addEventListener('change', () => {
          const value = Number(input.value);
          const other = key === 'start' ? channel.end : channel.start;
          if (!Number.isFinite(value) || (key === 'start' ? value >= other : value <= other)) {
            input.value = format(channel[key]);
            toast(`The display range of ${channel.name} needs start < end`, 'error');
            return;
          }
          channel[key] = value;
          this.update();
        });
        return input;
      };
      const start = number('start', 'Display range start');
      const end = number('end', 'Display range end');
      const reset = h(
        'button',
        {
          type: 'button',
          class: 'small-button',
          title: `Reset the range of ${channel.name} to the stack's 0.1–99.9 percentiles`,
          'aria-label': `Reset the range of ${channel.name}`,
          onclick: () => {
            channel.start = channel.auto.start;
            channel.end = channel.auto.end;
            start.value = format(channel.start);
            end.value = format(channel.end);
            this.update();
          },
        },
        '↺',
      );
      return h(
        'tr',
        { dataset: { channel: String(c) } },
        h('td', {}, toggle),
        h('td', {}, colour),
        h('th', { scope: 'row' }, h('label', { for: `${id}-on` }, channel.name)),
        h('td', { class: 'window-cell' }, start, h('span', { 'aria-hidden': 'true' }, '–'), end, reset),
      );
    });
    return h(
      'table',
      { class: 'channel-table', id: 'channels' },
      h('caption', {}, rgb ? 'Display range (RGB)' : `Channels (${this.channels.length})`),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'On'),
          h('th', { scope: 'col' }, 'Colour'),
          h('th', { scope: 'col' }, 'Name'),
          h('th', { scope: 'col' }, 'Display range'),
        ),
      ),
      h('tbody', {}, rows),
    );
  }

  factsLine() {
    const { axes, shape, dtype, physicalSize, timeIncrement } = this.info;
    const parts = [`${axes} ${shape.join('×')} ${dtype}`];
    if (physicalSize?.x)
      parts.push(
        `pixel ${format(physicalSize.x.value)}${physicalSize.y && physicalSize.y.value !== physicalSize.x.value ? `×${format(physicalSize.y.value)}` : ''} ${physicalSize.x.unit}`,
      );
    if (physicalSize?.z) parts.push(`z step ${format(physicalSize.z.value)} ${physicalSize.z.unit}`);
    if (timeIncrement) parts.push(`Δt ${format(timeIncrement.value)} ${timeIncrement.unit}`);
    return parts.join(' · ');
  }

  bindPointer() {
    const vp = this.viewport;
    vp.addEventListener(
      'wheel',
      (event) => {
        event.preventDefault();
        const rect = vp.getBoundingClientRect();
        this.zoomBy(Math.pow(1.25, -Math.sign(event.deltaY)), event.clientX - rect.left, event.clientY - rect.top);
      },
      { passive: false },
    );
    vp.addEventListener('dblclick', (event) => {
      const rect = vp.getBoundingClientRect();
      this.zoomBy(2, event.clientX - rect.left, event.clientY - rect.top);
    });
    let drag;
    vp.addEventListener('pointerdown', (event) => {
      if (event.button !== 0) return;
      drag = { x: event.clientX, y: event.clientY, center: { ...this.center } };
      vp.setPointerCapture(event.pointerId);
      vp.classList.add('dragging');
    });
    vp.addEventListener('pointermove', (event) => {
      if (!drag) return;
      const k = this.scale();
      this.center = { x: drag.center.x - (event.clientX - drag.x) / k, y: drag.center.y - (event.clientY - drag.y) / k };
      this.update();
    });
    const end = () => {
      drag = undefined;
      vp.classList.remove('dragging');
    };
    vp.addEventListener('pointerup', end);
    vp.addEventListener('pointercancel', end);
    vp.addEventListener('keydown', (event) => {
      const step = 40 / this.scale();
      const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
      if (event.key in moves) {
        const [dx, dy] = moves[event.key];
        this.center = { x: this.center.x + dx, y: this.center.y + dy };
        this.update();
      } else if (event.key === '+' || event.key === '=') this.zoomBy(1.5);
      else if (event.key === '-') this.zoomBy(1 / 1.5);
      else if (event.key === '0') this.fit();
      else return;
      event.preventDefault();
    });
  }

  /** Viewport size in CSS pixels. */
  box() {
    return { width: this.viewport.clientWidth || 400, height: this.viewport.clientHeight || 300 };
  }

  /** The zoom that fits the whole image in the viewport. */
  fitScale() {
    const { width, height } = this.box();
    return Math.min(width / this.info.width, height / this.info.height);
  }

  /** Screen (CSS) pixels per image pixel now. */
  scale() {
    return Math.max(this.fitScale(), this.zoom ?? 0);
  }

  fit() {
    this.zoom = undefined;
    this.center = { x: this.info.width / 2, y: this.info.height / 2 };
    this.update();
  }

  setZoom(k) {
    this.zoom = Math.min(MAX_ZOOM, Math.max(this.fitScale(), k));
    if (this.zoom <= this.fitScale() * 1.0001) this.zoom = undefined;
    this.update();
  }

  /** Zooms by `factor` keeping the image point under (px, py) of the viewport in place (default: its centre). */
  zoomBy(factor, px, py) {
    const { width, height } = this.box();
    const k = this.scale();
    const at = { x: px ?? width / 2, y: py ?? height / 2 };
    const region = this.region();
    const point = { x: region.x0 + (at.x - region.left) / k, y: region.y0 + (at.y - region.top) / k };
    const next = Math.min(MAX_ZOOM, Math.max(this.fitScale(), k * factor));
    this.center = { x: point.x - (at.x - width / 2) / next, y: point.y - (at.y - height / 2) / next };
    this.setZoom(next);
  }

  /**
   * The part of the image in view at the current zoom, clamped to the image (centred on an axis
   * the image does not fill), in image pixels (floats), and where it sits in the viewport.
   */
  region() {
    const { width, height } = this.box();
    const k = this.scale();
    const axis = (center, size, view) => {
      const span = view / k;
      if (span >= size) return { from: 0, to: size, offset: (view - size * k) / 2 };
      const c = Math.min(size - span / 2, Math.max(span / 2, center));
      return { from: c - span / 2, to: c + span / 2, offset: 0, center: c };
    };
    const x = axis(this.center.x, this.info.width, width);
    const y = axis(this.center.y, this.info.height, height);
    if (x.center !== undefined) this.center.x = x.center;
    if (y.center !== undefined) this.center.y = y.center;
    return { x0: x.from, x1: x.to, y0: y.from, y1: y.to, left: x.offset, top: y.offset };
  }

  /** The channels as the server's `channels` parameter (OMERO.web's syntax). */
  channelParam() {
    return this.channels.map((c, i) => `${c.active ? '' : '-'}${i + 1}|${c.start}:${c.end}$${c.color.slice(1)}`).join(',');
  }

  update() {
    const info = this.info;
    if (this.animating) this.zoom = undefined;
    this.zSlider.disabled = this.mip || info.sizeZ === 1 || this.animating;
    if (this.tSlider) this.tSlider.disabled = this.animating;
    this.zLabel.textContent = this.mip ? 'max projection' : `z ${this.z + 1} / ${info.sizeZ}`;
    if (this.tLabel)
      this.tLabel.textContent = `t ${this.t + 1} / ${info.sizeT}${info.timeIncrement ? ` (${format(this.t * info.timeIncrement.value)} ${info.timeIncrement.unit})` : ''}`;
    const k = this.scale();
    const r = this.region();
    // whole image pixels covering the view
    const x = Math.max(0, Math.floor(r.x0));
    const y = Math.max(0, Math.floor(r.y0));
    const w = Math.min(info.width, Math.ceil(r.x1)) - x;
    const hgt = Math.min(info.height, Math.ceil(r.y1)) - y;
    const dpr = window.devicePixelRatio || 1;
    const size = Math.max(1, Math.min(MAX_SIZE, Math.round(Math.max(w, hgt) * k * dpr)));
    // place the drawn region so that image pixel (x0, y0) sits at the view's left/top edge
    this.img.style.width = `${w * k}px`;
    this.img.style.height = `${hgt * k}px`;
    this.img.style.left = `${r.left - (r.x0 - x) * k}px`;
    this.img.style.top = `${r.top - (r.y0 - y) * k}px`;
    this.img.dataset.region = `${x},${y},${w},${hgt}`;
    this.img.dataset.scale = String(k);
    this.zoomLabel.textContent = `${Math.round(k * dpr * 100)} %`;
    this.drawScaleBar(k);
    const box = this.box();
    for (const layer of this.layers)
      layer.draw({ hidden: this.animating, t: this.t, z: this.z, k, x0: r.x0, y0: r.y0, left: r.left, top: r.top, width: box.width, height: box.height });
    if (this.animating) {
      this.request(api.animationUrl(this.experimentId, this.item.id));
      return;
    }
    const url = api.previewUrl(this.experimentId, this.item.id, {
      ...(this.mip ? { projection: 'max' } : { z: this.z }),
      t: this.t,
      channels: this.channelParam(),
      region: `${x},${y},${w},${hgt}`,
      size,
    });
    this.request(url);
  }

  /** Fetches `url` now, or after the image in flight (only the latest waiting one). */
  request(url) {
    if (this.img.getAttribute('src') === url) return;
    if (this.loading) {
      this.pending = url;
      return;
    }
    this.loading = true;
    this.img.src = url;
  }

  loaded() {
    this.loading = false;
    const next = this.pending;
    this.pending = undefined;
    if (next !== undefined) this.request(next);
  }

  /** A bar of a round physical length (1, 2 or 5 × 10ⁿ) about a fifth of the view wide, when the pixel size is known. */
  drawScaleBar(k) {
    const ps = this.info.physicalSize?.x;
    if (!ps || !(ps.value > 0)) {
      this.scaleBar.hidden = true;
      return;
    }
    const target = (this.box().width / 5 / k) * ps.value; // physical length of a fifth of the view
    const magnitude = Math.pow(10, Math.floor(Math.log10(target)));
    const length = [5, 2, 1].map((m) => m * magnitude).find((l) => l <= target) ?? magnitude;
    const pixels = (length / ps.value) * k;
    this.scaleBar.hidden = false;
    this.barLine.style.width = `${pixels}px`;
    this.barLabel.textContent = `${format(length)} ${ps.unit}`;
    this.scaleBar.dataset.length = String(length);
    this.scaleBar.dataset.unit = ps.unit;
  }

  dispose() {
    this.resizeObserver?.disconnect();
  }
}

/** A number as a short text (up to 6 significant digits, no trailing zeros). */
function format(value) {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
}
