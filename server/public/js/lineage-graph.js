import { svg } from './dom.js';

const NODE_W = 180;
const NODE_H = 44;
const GAP_X = 16;
const GAP_Y = 46;

/**
 * Draws a lineage graph (GET .../items/{id}/lineage) top to bottom: raw inputs at the top, each
 * job (labelled with its run's tool and run id) below them, the item asked about at the bottom.
 * The drawing scales down to the width of its container.
 * Item nodes are links: activating one calls `onOpenItem(itemId)`.
 */
export function lineageGraph(graph, { onOpenItem }) {
  const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  const runOf = new Map(graph.edges.filter((e) => e.relation === 'partOf').map((e) => [e.from, nodes.get(e.to)]));
  const level = new Map([[graph.root, 0]]);
  const queue = [graph.root];
  while (queue.length > 0) {
    const id = queue.shift();
    for (const e of graph.edges) {
      if (e.from !== id || e.relation === 'partOf') continue;
      const depth = level.get(id) + 1;
      if ((level.get(e.to) ?? -1) < depth) {
        level.set(e.to, depth);
        queue.push(e.to);
      }
    }
  }
  const max = Math.max(...level.values());
  const columns = [];
  for (const [id, l] of level) (columns[max - l] ??= []).push(id);
  const pos = new Map();
  const widest = Math.max(...columns.map((c) => c.length));
  const width = 24 + widest * NODE_W + (widest - 1) * GAP_X;
  const height = 24 + columns.length * NODE_H + (columns.length - 1) * GAP_Y;
  columns.forEach((ids, row) => {
    const rowWidth = ids.length * NODE_W + (ids.length - 1) * GAP_X;
    ids.forEach((id, i) => pos.set(id, { x: (width - rowWidth) / 2 + i * (NODE_W + GAP_X), y: 12 + row * (NODE_H + GAP_Y) }));
  });
  const root = svg('svg', {
    class: 'lineage',
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    role: 'img',
    'aria-label': 'Provenance graph: inputs, runs and outputs',
  });
  root.append(
    svg(
      'defs',
      {},
      svg(
        'marker',
        { id: 'arrow', viewBox: '0 0 10 10', refX: '10', refY: '5', markerWidth: '7', markerHeight: '7', orient: 'auto-start-reverse' },
        svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrow' }),
      ),
    ),
  );
  for (const e of graph.edges) {
    if (e.relation === 'partOf') continue;
    const [src, dst] = [e.to, e.from];
    const a = pos.get(src);
    const b = pos.get(dst);
    if (!a || !b) continue;
    const x1 = a.x + NODE_W / 2;
    const y1 = a.y + NODE_H;
    const x2 = b.x + NODE_W / 2;
    const y2 = b.y;
    const mid = (y1 + y2) / 2;
    root.append(
      svg('path', { d: `M ${x1} ${y1} C ${x1} ${mid}, ${x2} ${mid}, ${x2} ${y2}`, class: 'edge', 'marker-end': 'url(#arrow)' }),
      e.role ? svg('text', { x: (x1 + x2) / 2 + 6, y: mid + 4, class: 'edge-label' }, e.role) : '',
    );
  }
  for (const [id, p] of pos) {
    const node = nodes.get(id);
    if (node.kind === 'job') {
      const run = runOf.get(id);
      const tool = run?.tool ? `${run.tool.name} ${run.tool.version}` : 'run';
      root.append(
        svg(
          'g',
          { class: `node job status-${node.status ?? 'unknown'}`, transform: `translate(${p.x},${p.y})`, 'data-node': id },
          svg('rect', { width: NODE_W, height: NODE_H, rx: 23 }),
          svg('text', { x: NODE_W / 2, y: 19, 'text-anchor': 'middle', class: 'title' }, clip(tool, 26)),
          svg('text', { x: NODE_W / 2, y: 35, 'text-anchor': 'middle', class: 'sub' }, `run ${node.runId.slice(0, 8)} · ${node.jobId}`),
        ),
      );
    } else if (node.kind === 'item') {
      const g = svg(
        'g',
        {
          class: `node item${id === graph.root ? ' root' : ''}${node.missing ? ' missing' : ''}`,
          transform: `translate(${p.x},${p.y})`,
          tabindex: '0',
          role: 'link',
          'aria-label': `item ${node.name}`,
          'data-node': id,
        },
        svg('rect', { width: NODE_W, height: NODE_H, rx: 6 }),
        svg('text', { x: 10, y: 19, class: 'title' }, clip(node.name, 26)),
        svg('text', { x: 10, y: 35, class: 'sub' }, `${node.dataset ?? '?'} · ${node.origin ?? ''}`),
      );
      const open = () => !node.missing && onOpenItem(node.itemId);
      g.addEventListener('click', open);
      g.addEventListener('keydown', (e) => e.key === 'Enter' && open());
      root.append(g);
    }
  }
  return root;
}

function clip(text, n) {
  return text.length > n ? text.slice(0, n - 1) + '…' : text;
}
