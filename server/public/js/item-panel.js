import { api, ApiFailure } from './api.js';
import { h, replace } from './dom.js';
import { ImageViewer } from './image-viewer.js';
import { lineageGraph } from './lineage-graph.js';
import { showTablePreview } from './table-preview.js';
import { TrackLayer } from './track-layer.js';

/**
 * The item detail panel: the image viewer (channel composite, z/t sliders, projection, zoom and
 * pan, scale bar, tracks drawn over an image made from a tracks table; see image-viewer.js and
 * track-layer.js) or the table preview, the item's tags and facts, and its provenance graph (how it was made).
 */
export class ItemPanel {
  constructor(root, { onOpenItem }) {
    this.root = root;
    this.onOpenItem = onOpenItem;
  }

  async show(experimentId, itemId) {
    this.experimentId = experimentId;
    const item = await api.item(experimentId, itemId);
    this.item = item;
    const close = h('button', { type: 'button', class: 'icon-button', 'aria-label': 'Close item details', onclick: () => this.hide() }, '×');
    const preview = h('div', { class: 'preview' });
    this.graph = h('div', { class: 'graph-wrap', id: 'provenance' });
    replace(
      this.root,
      h('div', { class: 'detail-head' }, h('h2', { id: 'detail-title' }, item.name), close),
      h(
        'p',
        { class: 'facts' },
        `${item.dataset} · ${item.format}${item.size !== undefined ? ` · ${Math.ceil(item.size / 1024)} KiB` : ''} · ${item.date} · ${item.author}`,
      ),
      item.missing
        ? h(
            'p',
            { class: 'missing-note', role: 'status' },
            "Its data file does not exist (never written, or removed or moved): run 'bioimageit experiment check'.",
          )
        : '',
      preview,
      h('h3', {}, 'Tags'),
      h(
        'dl',
        { class: 'tag-list' },
        Object.entries(item.tags).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
      ),
      h('h3', {}, 'Provenance'),
      item.origin.type === 'raw'
        ? h('p', { class: 'hint' }, 'Raw data: imported, not computed.')
        : h('p', { class: 'hint' }, 'How this item was made: its inputs, the run, and the item.'),
      this.graph,
    );
    this.root.hidden = false;
    this.root.setAttribute('aria-labelledby', 'detail-title');
    await Promise.all([
      item.missing
        ? replace(preview, h('p', { class: 'hint' }, 'No preview: the data file is missing.'))
        : item.image
          ? this.showPreview(preview)
          : item.table
            ? showTablePreview(preview, this.experimentId, item)
            : replace(preview, h('p', { class: 'hint' }, `No preview for ${item.format} items.`)),
      item.origin.type === 'processed' ? this.showLineage() : undefined,
    ]);
    close.focus();
  }

  hide() {
    this.viewer?.dispose();
    this.viewer = undefined;
    this.root.hidden = true;
    replace(this.root);
  }

  async showPreview(container) {
    let info;
    try {
      info = await api.imageInfo(this.experimentId, this.item.id);
    } catch (error) {
      replace(container, h('p', { class: 'hint' }, error instanceof ApiFailure ? error.message : String(error)));
      return;
    }
    this.viewer?.dispose();
    const viewer = new ImageViewer(container, { experimentId: this.experimentId, item: this.item, info });
    this.viewer = viewer;
    // tracks follow the time slider: drawn over a time series only (not over a still or an animated PNG)
    if (this.item.origin.type === 'processed' && info.sizeT > 1) await this.showTracks(viewer, info);
  }

  /** Draws the tracks of the tracks table the image was made from, if its job read one. */
  async showTracks(viewer, info) {
    try {
      const tracks = await api.tracks(this.experimentId, this.item.id);
      if (tracks.source === null || this.viewer !== viewer) return;
      viewer.addLayer(new TrackLayer(tracks, { pixelSize: info.physicalSize, unit: info.physicalSize?.x?.unit, onSeek: (frame) => viewer.setT(frame) }));
    } catch (error) {
      viewer.layerPanels.append(h('p', { class: 'hint' }, `Tracks: ${error instanceof ApiFailure ? error.message : String(error)}`));
    }
  }

  async showLineage() {
    try {
      const graph = await api.lineage(this.experimentId, this.item.id);
      replace(this.graph, lineageGraph(graph, { onOpenItem: (id) => this.onOpenItem(id) }));
    } catch (error) {
      replace(this.graph, h('p', { class: 'hint' }, error instanceof ApiFailure ? error.message : String(error)));
    }
  }
}
