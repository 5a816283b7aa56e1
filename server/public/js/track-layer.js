import { h, svg, replace } from './dom.js';

/** Golden angle in degrees: successive ids get hues far apart. */
const GOLDEN_ANGLE = 137.508;
/** Tracks listed in the table at most (all are drawn). */
const MAX_ROWS = 1000;

/**
 * The colour of a track, the same for an id on every screen: hue = id × golden angle (ids that are
 * not integers are hashed first), as napari's tracks layer spreads its colours.
 */
export function trackColor(id) {
  let n = Number(id);
  if (!Number.isInteger(n)) {
    n = 0;
    for (const c of String(id)) n = (Math.imul(n, 31) + c.codePointAt(0)) >>> 0;
  }
  const hue = (((n * GOLDEN_ANGLE) % 360) + 360) % 360;
  return `hsl(${Number(hue.toFixed(3))}, 90%, 60%)`;
}

/**
 * Tracks over the image viewer, as napari's tracks layer and TrackMate show them: at the current
 * time point, each track's path over the last N frames (a polyline in the track's colour) and a
 * circle at its spot in this frame; lone spots (in no track) as grey circles. Below the viewer a
 * table of the tracks (id, spots, first and last frame, mean speed in the image's unit per frame);
 * clicking a row highlights the track and moves the time slider to its first frame.
 *
 * `data` is the answer of `GET …/items/{id}/tracks`; positions are physical (pixel = value / pixel
 * size, origin at the centre of voxel 0,0,0). The viewer calls {@link draw} on every change of view
 * (nothing is drawn while it plays an animation, whose frames do not follow the time slider).
 */
export class TrackLayer {
  constructor(data, { pixelSize, unit, onSeek }) {
    this.data = data;
    this.pixel = { x: pixelSize?.x?.value || 1, y: pixelSize?.y?.value || pixelSize?.x?.value || 1 };
    this.unit = unit ?? 'px';
    this.onSeek = onSeek;
    this.visible = true;
    this.tail = 10;
    this.selected = undefined;
    this.tracks = data.tracks.map((t) => ({ id: t.id, spots: t.spots, color: trackColor(t.id) }));
    this.element = svg('svg', { class: 'track-overlay', id: 'track-overlay', 'aria-hidden': 'true' });
    this.panel = this.buildPanel();
  }

  buildPanel() {
    const toggle = h('input', { type: 'checkbox', id: 'tracks-on', checked: true });
    toggle.checked = true;
    toggle.addEventListener('change', () => {
      this.visible = toggle.checked;
      this.redraw();
    });
    const tail = h('input', { type: 'number', id: 'track-tail', class: 'window-input', min: '0', max: '10000', step: '1', value: String(this.tail) });
    tail.addEventListener('change', () => {
      const n = Math.round(Number(tail.value));
      this.tail = Number.isFinite(n) && n >= 0 ? n : 10;
      tail.value = String(this.tail);
      this.redraw();
    });
    this.rows = new Map();
    const body = h(
      'tbody',
      {},
      this.tracks.slice(0, MAX_ROWS).map((track) => {
        const s = this.summary(track);
        const row = h(
          'tr',
          { dataset: { track: track.id }, tabindex: '0', title: `Show track ${track.id} from its first frame` },
          h('th', { scope: 'row' }, h('span', { class: 'track-swatch', style: `background:${track.color}` }), track.id),
          h('td', { class: 'num' }, String(track.spots.length)),
          h('td', { class: 'num' }, String(s.first)),
          h('td', { class: 'num' }, String(s.last)),
          h('td', { class: 'num' }, s.speed === undefined ? '–' : format(s.speed)),
        );
        const pick = () => this.select(track.id === this.selected ? undefined : track.id, true);
        row.addEventListener('click', pick);
        row.addEventListener('keydown', (e) => {
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault();
            pick();
          }
        });
        this.rows.set(track.id, row);
        return row;
      }),
    );
    const notes = [];
    if (this.data.truncated) notes.push(`Only the first ${this.data.limit.toLocaleString('en')} spots of ${this.data.source.name} are shown.`);
    if (this.tracks.length > MAX_ROWS) notes.push(`The table lists the first ${MAX_ROWS} of ${this.tracks.length} tracks; all are drawn.`);
    return h(
      'section',
      { class: 'track-panel', 'aria-label': 'Tracks' },
      h(
        'div',
        { class: 'slider-row' },
        toggle,
        h('label', { for: 'tracks-on' }, `Tracks (${this.data.source.name})`),
        h('label', { for: 'track-tail', class: 'track-tail-label' }, 'Tail (frames)'),
        tail,
      ),
      notes.map((n) => h('p', { class: 'hint track-note' }, n)),
      h(
        'div',
        { class: 'track-table-scroll' },
        h(
          'table',
          { class: 'channel-table track-table', id: 'track-table' },
          h(
            'caption',
            {},
            `${this.tracks.length} track${this.tracks.length === 1 ? '' : 's'}${this.data.lone.length ? `, ${this.data.lone.length} lone spots` : ''}`,
          ),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, 'Track'),
              h('th', { scope: 'col', class: 'num' }, 'Spots'),
              h('th', { scope: 'col', class: 'num' }, 'First frame'),
              h('th', { scope: 'col', class: 'num' }, 'Last frame'),
              h('th', { scope: 'col', class: 'num' }, `Mean speed (${this.unit}/frame)`),
            ),
          ),
          body,
        ),
      ),
    );
  }

  /** First and last frame, and the mean of the speeds between successive spots (distance / frames apart). */
  summary(track) {
    const spots = track.spots;
    let sum = 0;
    let steps = 0;
    for (let i = 1; i < spots.length; i++) {
      const [f0, x0, y0, z0] = spots[i - 1];
      const [f1, x1, y1, z1] = spots[i];
      if (f1 === f0 || x0 === null || x1 === null || y0 === null || y1 === null) continue;
      const dz = z0 !== null && z1 !== null ? z1 - z0 : 0;
      sum += Math.hypot(x1 - x0, y1 - y0, dz) / (f1 - f0);
      steps++;
    }
    return { first: spots[0]?.[0], last: spots.at(-1)?.[0], speed: steps > 0 ? sum / steps : undefined };
  }

  /** Highlights a track (undefined: none); with `seek`, moves the time slider to its first frame. */
  select(id, seek = false) {
    this.selected = id;
    for (const [trackId, row] of this.rows) row.setAttribute('aria-selected', String(trackId === id));
    if (seek && id !== undefined) {
      const track = this.tracks.find((t) => t.id === id);
      if (track && track.spots.length > 0) this.onSeek(track.spots[0][0]);
    }
    this.redraw();
  }

  redraw() {
    if (this.view) this.draw(this.view);
  }

  /**
   * Draws the tracks for a view of the viewer: `t` the time point, `k` screen pixels per image
   * pixel, `x0, y0` the image point (pixel edges) at the view's `left, top`, `width, height` the view.
   */
  draw(view) {
    this.view = view;
    const { t, k, x0, y0, left, top, width, height } = view;
    this.element.setAttribute('width', String(width));
    this.element.setAttribute('height', String(height));
    this.element.setAttribute('viewBox', `0 0 ${width} ${height}`);
    this.element.dataset.t = String(t);
    if (!this.visible || view.hidden) {
      replace(this.element);
      return;
    }
    const sx = (x) => left + (x / this.pixel.x + 0.5 - x0) * k;
    const sy = (y) => top + (y / this.pixel.y + 0.5 - y0) * k;
    const radius = (r) => Math.max(4, Math.min(60, r !== null && r > 0 ? (r / this.pixel.x) * k : 6));
    const paths = [];
    const heads = [];
    for (const track of this.tracks) {
      const spots = inFrames(track.spots, t - this.tail, t).filter((s) => s[1] !== null && s[2] !== null);
      if (spots.length === 0) continue;
      const state = this.selected === undefined ? '' : this.selected === track.id ? ' selected' : ' dimmed';
      if (spots.length > 1)
        paths.push(
          svg('polyline', {
            class: `track-path${state}`,
            'data-track': track.id,
            points: spots.map((s) => `${sx(s[1]).toFixed(2)},${sy(s[2]).toFixed(2)}`).join(' '),
            stroke: track.color,
          }),
        );
      const now = spots.at(-1);
      if (now[0] === t)
        heads.push(
          svg('circle', {
            class: `track-spot${state}`,
            'data-track': track.id,
            cx: sx(now[1]).toFixed(2),
            cy: sy(now[2]).toFixed(2),
            r: radius(now[5]).toFixed(2),
            stroke: track.color,
          }),
        );
    }
    const lone = inFrames(this.data.lone, t, t)
      .filter((s) => s[1] !== null && s[2] !== null)
      .map((s) => svg('circle', { class: 'lone-spot', cx: sx(s[1]).toFixed(2), cy: sy(s[2]).toFixed(2), r: radius(s[5]).toFixed(2) }));
    replace(this.element, lone, paths, heads);
  }
}

/** The spots of a list sorted by frame whose frame is in [from, to] (binary search for the start). */
function inFrames(spots, from, to) {
  let lo = 0;
  let hi = spots.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (spots[mid][0] < from) lo = mid + 1;
    else hi = mid;
  }
  const out = [];
  for (let i = lo; i < spots.length && spots[i][0] <= to; i++) out.push(spots[i]);
  return out;
}

/** A number as a short text (4 significant digits). */
function format(value) {
  return String(Number(value.toPrecision(4)));
}
