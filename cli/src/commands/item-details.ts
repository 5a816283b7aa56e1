import type { ChannelMetadata, DataItem, PhysicalSize } from '@bioimageit/core';

/**
 * The text form of one item for `bioimageit item show`: one `label  value` line per known
 * field (identity, tags, origin), then the image metadata a codec recorded — axes, shape and
 * dtype, physical sizes, time increment — and one line per channel (index, name, colour,
 * excitation and emission wavelengths). Fields the item lacks are left out.
 */
export function itemDetails(item: DataItem): string {
  const rows: [string, string][] = [
    ['name', item.name],
    ['id', item.id],
    ['dataset', item.dataset],
    ['format', item.format],
    ['date', item.date],
    ['author', item.author],
  ];
  if (item.size !== undefined) rows.push(['size', `${item.size} bytes`]);
  if (item.sha256 !== undefined) rows.push(['sha256', item.sha256]);
  const tags = Object.entries(item.tags).map(([k, v]) => `${k}=${v}`);
  rows.push(['tags', tags.length > 0 ? tags.join(', ') : '(none)']);
  rows.push(['origin', item.origin.type === 'processed' ? `run ${item.origin.run.id}, output ${item.origin.output.name}` : 'raw']);
  rows.push(...imageRows(item.metadata));
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`);
  return [...lines, ...channelLines(item.metadata.channels)].join('\n');
}

function imageRows(meta: DataItem['metadata']): [string, string][] {
  const rows: [string, string][] = [];
  const geometry = [meta.axes, Array.isArray(meta.shape) ? meta.shape.join('\u00d7') : undefined, meta.dtype].filter((p) => typeof p === 'string' && p !== '');
  if (geometry.length > 0) rows.push(['image', geometry.join('  ')]);
  const sizes = (['x', 'y', 'z'] as const).flatMap((axis) => {
    const size = meta.physicalSize?.[axis];
    return size ? [`${axis} ${quantity(size)}`] : [];
  });
  if (sizes.length > 0) rows.push(['pixel size', sizes.join(', ')]);
  const time = meta.timeIncrement ?? meta.physicalSize?.t;
  if (time) rows.push(['time step', quantity(time)]);
  if (Array.isArray(meta.channels) && meta.channels.length > 0) rows.push(['channels', String(meta.channels.length)]);
  return rows;
}

/** One indented line per channel: `  C0  DAPI  #0000ff  ex 405 nm  em 461 nm`. */
function channelLines(channels: readonly ChannelMetadata[] | undefined): string[] {
  if (!Array.isArray(channels)) return [];
  const cells = channels.map((c, i) => [
    `C${i}`,
    c.name ?? '-',
    c.color ?? '-',
    c.excitation ? `ex ${quantity(c.excitation)}` : '',
    c.emission ? `em ${quantity(c.emission)}` : '',
  ]);
  const widths = [0, 1, 2, 3].map((k) => Math.max(...cells.map((row) => row[k]!.length)));
  return cells.map(
    (row) =>
      '  ' +
      row
        .map((cell, k) => (k < widths.length ? cell.padEnd(widths[k]!) : cell))
        .join('  ')
        .trimEnd(),
  );
}

function quantity(q: PhysicalSize): string {
  return `${q.value} ${q.unit}`;
}
