/**
 * @bioimageit/tracking — 3-D spot detection (Laplacian of Gaussian, sub-voxel localisation), a LAP
 * tracker in the manner of TrackMate (frame-to-frame linking, gap closing), TrackMate XML and
 * spots/tracks CSV, tracking metrics against ground truth, and renderings of tracks over maximum
 * projections. The kernel loads `./module`; these exports serve tool scripts, applications and tests.
 */
export { TRACKING_PLUGIN_ID, TRACKING_TOOLS_DIR, TrackingToolSourceContribution } from './tracking-tool-source.js';
export { default as trackingModule } from './tracking-module.js';
export { maxProjectZ, type ZyxVolume } from './max-projection.js';
export { trackColor, hsvToRgb, type Rgb } from './track-colors.js';
export { CoverageMask } from './raster-mask.js';
export { drawTrackFrame, type DrawTrackOptions } from './draw-tracks.js';
export { encodeApng, type ApngOptions } from './apng.js';
export { renderTrackMovie, type TrackMovieInput, type TrackMovieOptions, type TrackMovie } from './render-track-movie.js';
export { writeMipSeries, type MipSeriesOptions } from './mip-series-tiff.js';
export { solveAssignment, solveSparseAssignment, type SparseAssignmentProblem } from './lap-solver.js';
export { detectSpotsCommand } from './detect-command.js';
export { trackCommand } from './track-command.js';
export { renderTracksCommand } from './render-command.js';
export { readVolume, type Volume } from './read-volume.js';
export { runToolCommand, ToolArgumentError, type ToolArgs } from './tool-command.js';
export type { Spot, Track, TrackEdge, TrackedImage, TrackingResult } from './track-model.js';
export { formatTrackMateXml, TRACKMATE_XML_VERSION, type TrackMateXmlOptions } from './trackmate-xml.js';
export {
  DEFAULT_TRACKMATE_DETECTOR_SETTINGS,
  DEFAULT_TRACKMATE_TRACKER_SETTINGS,
  type TrackMateDetectorSettings,
  type TrackMateTrackerSettings,
} from './trackmate-xml-settings.js';
export { parseTrackMateXml } from './read-trackmate-xml.js';
export { parseXml, type XmlElement } from './xml-dom.js';
export { formatSpotsCsv, parseSpotsCsv, SPOTS_CSV_COLUMNS, type VoxelSize } from './spots-csv.js';
export { formatTracksCsv, parseTracksCsv, TRACKS_CSV_COLUMNS, type TracksCsvParseOptions } from './tracks-csv.js';
export { evaluateTracking, type EvaluateTrackingOptions, type TrackingScores, type TrackPairing, type TrackRef } from './evaluate-tracking.js';
export { detectSpots, autoQualityThreshold, type DetectSpotsOptions, type VoxelSpacing } from './detect-spots.js';
export { scaleNormalisedLog, gaussianKernel, secondDerivativeKernel, type ScalarVolume, type HalfKernel } from './log-filter.js';
export { trackSpots, type LapTrackerOptions } from './lap-tracker.js';
export { SpatialGrid } from './spatial-grid.js';
