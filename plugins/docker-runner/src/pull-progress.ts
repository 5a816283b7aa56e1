/** One line of the Engine API's pull stream (`POST /images/create`). */
export interface PullEvent {
  readonly status?: string;
  readonly id?: string;
  readonly progressDetail?: { readonly current?: number; readonly total?: number };
  readonly error?: string;
  readonly errorDetail?: { readonly message?: string };
}

/** Where a pull stands, as handed to {@link PullProgressListener}s. */
export interface PullProgress {
  readonly image: string;
  /** 0..1 over the bytes of every layer seen so far (layers already present count as done). */
  readonly fraction: number;
  readonly layersDone: number;
  readonly layers: number;
  /** The daemon's latest status text (`Downloading`, `Pull complete`, `Digest: sha256:...`). */
  readonly status: string;
  /** True on the last report of a pull that succeeded. */
  readonly done: boolean;
}

/** Receives pull progress; the docker runner's default draws a bar on stderr (see {@link stderrPullProgress}). */
export type PullProgressListener = (progress: PullProgress) => void;

interface Layer {
  current: number;
  total: number;
  done: boolean;
}

/** Statuses after which a layer is on the daemon. */
const LAYER_DONE = new Set(['Pull complete', 'Already exists']);

/**
 * Folds pull events into one progress figure per image. Layer ids come from the `id` field of
 * events that carry a layer status (`Pulling fs layer`, `Downloading`, `Extracting`...); events
 * about the image as a whole (`Pulling from`, `Digest:`, `Status:`) only update the status text.
 */
export class PullProgressTracker {
  private readonly layers = new Map<string, Layer>();
  private status = 'Pulling';

  constructor(readonly image: string) {}

  /** Applies one event and returns the resulting progress. */
  apply(event: PullEvent): PullProgress {
    const status = event.status ?? '';
    if (status !== '') this.status = event.id !== undefined && !status.startsWith('Pulling from') ? `${status} ${event.id}` : status;
    const isLayer = event.id !== undefined && !status.startsWith('Pulling from') && status !== '';
    if (isLayer) {
      const id = event.id as string;
      const layer = this.layers.get(id) ?? { current: 0, total: 0, done: false };
      const detail = event.progressDetail;
      if (status === 'Downloading' && detail?.total !== undefined && detail.total > 0) {
        layer.total = detail.total;
        layer.current = Math.min(detail.current ?? 0, detail.total);
      }
      if (status === 'Download complete') layer.current = layer.total;
      if (LAYER_DONE.has(status)) {
        layer.done = true;
        layer.current = layer.total;
      }
      this.layers.set(id, layer);
    }
    return this.snapshot(false);
  }

  /** The progress of a pull that just succeeded. */
  finished(): PullProgress {
    for (const layer of this.layers.values()) {
      layer.done = true;
      layer.current = layer.total;
    }
    return this.snapshot(true);
  }

  private snapshot(done: boolean): PullProgress {
    let bytes = 0;
    let total = 0;
    let layersDone = 0;
    let unsized = 0;
    for (const layer of this.layers.values()) {
      if (layer.done) layersDone += 1;
      if (layer.total > 0) {
        total += layer.total;
        bytes += layer.done ? layer.total : layer.current;
      } else if (!layer.done) unsized += 1;
    }
    const layers = this.layers.size;
    const fraction = done ? 1 : total > 0 && unsized === 0 ? bytes / total : layers > 0 ? layersDone / layers : 0;
    return { image: this.image, fraction, layersDone, layers, status: this.status, done };
  }
}

/** Renders a progress report as one line: `pulling IMAGE [#####-----] 50% 1/2 layers`. */
export function formatPullProgress(progress: PullProgress, width = 24): string {
  const filled = Math.round(progress.fraction * width);
  const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
  const percent = Math.floor(progress.fraction * 100);
  return `pulling ${progress.image} [${bar}] ${String(percent).padStart(3)}% ${progress.layersDone}/${progress.layers} layers`;
}

/**
 * The default listener: on a terminal, one line redrawn in place on `stream` (stderr); elsewhere
 * (logs, CI) one line at each quarter and at the end, so logs stay short.
 */
export function stderrPullProgress(stream: NodeJS.WriteStream = process.stderr): PullProgressListener {
  let lastQuarter = -1;
  return (progress) => {
    const line = formatPullProgress(progress);
    if (stream.isTTY === true) {
      stream.write(`\r${line}${progress.done ? '\n' : ''}`);
      return;
    }
    const quarter = progress.done ? 4 : Math.floor(progress.fraction * 4);
    if (quarter === lastQuarter || (quarter === 4 && !progress.done)) return;
    lastQuarter = quarter;
    stream.write(`${line}\n`);
  };
}
