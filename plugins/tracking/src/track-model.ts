/**
 * The data model shared by detection, tracking, file formats, metrics and renderings. Plain
 * readonly JSON types.
 *
 * Coordinates: positions are in the image's physical unit (`spaceUnit`, usually µm), with the
 * origin at the centre of voxel (0, 0, 0): a spot at voxel (z, y, x) of an image with voxel size
 * (dz, dy, dx) is at (z·dz, y·dy, x·dx) — TrackMate's convention. Frames count from 0; the time of
 * a frame is `frame · frameInterval` in `timeUnit`.
 */

/** One detected spot. */
export interface Spot {
  /** Unique within one {@link TrackingResult} (or one detection output). */
  readonly id: number;
  /** Time index, from 0. */
  readonly frame: number;
  readonly x: number;
  readonly y: number;
  readonly z: number;
  /** Detector response (higher is better): the scale-normalised LoG response at the spot. */
  readonly quality: number;
  /** Mean intensity of the input image within `radius` of the spot. */
  readonly intensity: number;
  /** Physical radius used for detection. */
  readonly radius: number;
}

/** A link between two spots of one track, `source` earlier than `target`. */
export interface TrackEdge {
  readonly source: number;
  readonly target: number;
  /** The linking cost the tracker paid (squared distance, as TrackMate's LAP trackers). */
  readonly cost: number;
}

/** One track: its spots (ids, ordered by frame) and its links. */
export interface Track {
  /** From 0, unique within a result. */
  readonly id: number;
  readonly spotIds: readonly number[];
  readonly edges: readonly TrackEdge[];
}

/** Facts of the image a result was computed on (TrackMate's Settings/ImageData). */
export interface TrackedImage {
  readonly filename: string;
  readonly folder: string;
  /** Pixels along x, y; planes along z; frames along t. */
  readonly width: number;
  readonly height: number;
  readonly nslices: number;
  readonly nframes: number;
  readonly pixelWidth: number;
  readonly pixelHeight: number;
  readonly voxelDepth: number;
}

/** What a tracker produces, and what TrackMate XML and the tracks CSV hold. */
export interface TrackingResult {
  /** Every spot, linked or not. */
  readonly spots: readonly Spot[];
  /** Tracks of two or more spots. Spots in no track are lone detections. */
  readonly tracks: readonly Track[];
  readonly spaceUnit: string;
  readonly timeUnit: string;
  readonly frameInterval: number;
  readonly image?: TrackedImage;
}
