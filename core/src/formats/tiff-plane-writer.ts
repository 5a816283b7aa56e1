import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import type { PixelArray } from '../extension-points/format-codec.js';
import type { ChannelMetadata, PhysicalSize } from '../model/data-item.js';
import { defaultTempPath } from '../util/atomic-write.js';
import { ioFailure, unsupported } from './format-failure.js';
import { pixelDataConstructor, type PixelDtype } from './pixel-dtype.js';
import { littleEndianBytes, planTiffFile, type TiffFilePlan, type TiffWriteOptions } from './tiff-writer.js';

/** The image a {@link TiffPlaneWriter} writes: what {@link writeTiff} takes, without the pixels. */
export interface TiffPlaneImage {
  /** Sizes, slowest axis first, matching `axes`. */
  readonly shape: readonly number[];
  readonly dtype: PixelDtype;
  /** Distinct letters from `TCZ`, then `YX` or `YXS`. */
  readonly axes: string;
  readonly physicalSize?: PixelArray['physicalSize'];
  /** Time between two T positions; written as `physicalSize.t` (it replaces one given there). */
  readonly timeIncrement?: PhysicalSize;
  /** One entry per C position, as {@link TiffWriteOptions.channels} (which wins when both are given). */
  readonly channels?: readonly ChannelMetadata[];
}

/**
 * Writes a TIFF one YX(S) plane at a time, in bounded memory, into a temporary file beside the
 * target; made by {@link createTiffPlaneWriter}. Planes are numbered in C order over the leading
 * axes (`TCZYX`: index `(t * C + c) * Z + z`), as the pages of {@link writeTiff}.
 */
export interface TiffPlaneWriter {
  /** How many planes the image has (valid indices: 0 to `planes - 1`). */
  readonly planes: number;
  /**
   * Writes plane `index` at its place in the file. Planes may come in any order, concurrently too,
   * each exactly once; `data` (the dtype's typed array, height × width × samples values in C order)
   * must not change until the promise settles. Rejects with FormatError `UNSUPPORTED` naming the
   * path for an index out of range or written before, data of the wrong dtype or size, or a writer
   * already closed or aborted; with `IO` when the write fails (the plane may then be written again).
   */
  writePlane(index: number, data: PixelArray['data']): Promise<void>;
  /**
   * Waits for pending writes, writes the other pages' IFDs and renames the temporary file over the
   * target. Rejects with FormatError `UNSUPPORTED` naming the planes never written, or `IO`; either
   * way the temporary file is removed and the target left as it was. Calling it again returns the
   * same promise.
   */
  close(): Promise<void>;
  /**
   * Removes the temporary file and ends the writer (pending writes settle first). Once close() has
   * begun, waits for it and leaves its outcome; does nothing after an abort.
   */
  abort(): Promise<void>;
}

/** Most bytes handed to one positional write (Node refuses more than 2 GiB per call). */
const MAX_WRITE = 1 << 30;
/** Missing planes named by index in a close() error before the rest is only counted. */
const NAMED_MISSING = 20;

/**
 * Starts writing `image` to `path` plane by plane (see {@link TiffPlaneWriter}): once closed, the
 * file is byte for byte what {@link writeTiff} writes for the same pixels and options (description,
 * OME-XML, IFDs, BigTIFF when a classic TIFF of the declared size would pass 4 GiB). The header and
 * first IFD are written now to a hidden temporary file in the same folder; memory use stays at the
 * IFDs plus the planes in flight. Called by producers of large images (deep-learning inference).
 * Rejects with FormatError `UNSUPPORTED` (an image {@link writeTiff} could not write) or `IO`
 * (the temporary file cannot be created), naming `path`.
 */
export async function createTiffPlaneWriter(path: string, image: TiffPlaneImage, options: TiffWriteOptions = {}): Promise<TiffPlaneWriter> {
  const { timeIncrement, channels, ...shaped } = image;
  const physicalSize = timeIncrement ? { ...image.physicalSize, t: timeIncrement } : image.physicalSize;
  const plan = planTiffFile({ ...shaped, ...(physicalSize && { physicalSize }) }, { ...options, ...(!options.channels && channels && { channels }) }, path);
  const temp = defaultTempPath(path);
  let handle: FileHandle;
  try {
    handle = await open(temp, 'wx');
  } catch (error) {
    throw ioFailure(path, 'create a temporary file', error);
  }
  try {
    await writeAt(handle, plan.head, 0);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw ioFailure(path, 'write the TIFF header', error);
  }
  return new TiffPlaneWriterImpl(path, temp, handle, image.dtype, plan);
}

class TiffPlaneWriterImpl implements TiffPlaneWriter {
  readonly planes: number;
  private readonly written: Uint8Array;
  private readonly pending = new Set<Promise<void>>();
  private state: 'open' | 'closing' | 'closed' | 'aborted' = 'open';
  private closing: Promise<void> | undefined;

  constructor(
    private readonly path: string,
    private readonly temp: string,
    private readonly handle: FileHandle,
    private readonly dtype: PixelDtype,
    private readonly plan: TiffFilePlan,
  ) {
    this.planes = plan.planes;
    this.written = new Uint8Array(plan.planes);
  }

  writePlane(index: number, data: PixelArray['data']): Promise<void> {
    try {
      this.checkPlane(index, data);
    } catch (error) {
      return Promise.reject(error);
    }
    this.written[index] = 1;
    const offset = this.plan.head.byteLength + index * this.plan.planeBytes;
    const write = writeAt(this.handle, littleEndianBytes(data), offset).catch((error: unknown) => {
      this.written[index] = 0;
      throw ioFailure(this.path, `write plane ${index}`, error);
    });
    const tracked = write.then(
      () => undefined,
      () => undefined,
    );
    this.pending.add(tracked);
    void tracked.then(() => this.pending.delete(tracked));
    return write;
  }

  close(): Promise<void> {
    if (this.state === 'aborted') return Promise.reject(unsupported(this.path, 'cannot close a TIFF plane writer that was aborted'));
    this.closing ??= this.finish();
    return this.closing;
  }

  async abort(): Promise<void> {
    if (this.closing) return this.closing.catch(() => undefined);
    if (this.state !== 'open') return;
    this.state = 'aborted';
    await this.discard();
  }

  private checkPlane(index: number, data: PixelArray['data']): void {
    if (this.state !== 'open') throw unsupported(this.path, `cannot write plane ${index}: the TIFF plane writer is ${this.state}`);
    if (!Number.isInteger(index) || index < 0 || index >= this.planes) {
      throw unsupported(this.path, `plane index ${index} is out of range (the image has ${this.planes} planes)`);
    }
    if (this.written[index]) throw unsupported(this.path, `plane ${index} was already written`);
    const expected = pixelDataConstructor(this.dtype);
    if (!(data instanceof expected))
      throw unsupported(this.path, `plane ${index} is a ${data.constructor.name}, not the ${expected.name} of dtype ${this.dtype}`);
    if (data.length !== this.plan.planeValues) {
      throw unsupported(this.path, `plane ${index} has ${data.length} values, a plane of this image has ${this.plan.planeValues}`);
    }
  }

  private async finish(): Promise<void> {
    this.state = 'closing';
    while (this.pending.size > 0) await Promise.all(this.pending);
    const missing: number[] = [];
    this.written.forEach((done, i) => {
      if (!done) missing.push(i);
    });
    if (missing.length > 0) {
      this.state = 'aborted';
      await this.discard();
      const named = missing.slice(0, NAMED_MISSING).join(', ') + (missing.length > NAMED_MISSING ? ', …' : '');
      throw unsupported(this.path, `${missing.length} of ${this.planes} planes were never written: ${named}`, { missing: missing.length });
    }
    try {
      await writeAt(this.handle, this.plan.tail, this.plan.tailOffset);
      await this.handle.close();
      await rename(this.temp, this.path);
      this.state = 'closed';
    } catch (error) {
      this.state = 'aborted';
      await this.discard();
      throw ioFailure(this.path, 'finish the TIFF file', error);
    }
  }

  private async discard(): Promise<void> {
    await Promise.all(this.pending);
    await this.handle.close().catch(() => undefined);
    await unlink(this.temp).catch(() => undefined);
  }
}

/** Writes every byte of `bytes` at file offset `position` (writes may be short). */
async function writeAt(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  for (let done = 0; done < bytes.byteLength;) {
    const { bytesWritten } = await handle.write(bytes, done, Math.min(bytes.byteLength - done, MAX_WRITE), position + done);
    done += bytesWritten;
  }
}
