/**
 * Inference with ONNX Runtime: sessions off the main thread, image/model axis mapping, tiling with
 * halos, and prediction on tensors, test tensors and TIFF images. Importing this loads no native
 * code; onnxruntime-node loads on the first session.
 */
export {
  loadOnnxRuntime,
  mapTensorNames,
  onnxWeightsPath,
  openOnnxSession,
  runtimeDescription,
  type InferencePackage,
  type OnnxSession,
  type OnnxSessionOptions,
} from './onnx-session.js';
export {
  mapInputAxes,
  mapOutputAxes,
  outputImageShape,
  sampleFromImage,
  sampleToImage,
  toModelAxes,
  type ImageLayout,
  type ImagePixels,
  type InputAxisMapping,
  type ModelAxisLink,
  type OutputAxisMapping,
} from './axis-mapping.js';
export {
  DEFAULT_MAX_TILE_VOXELS,
  planTiles,
  validSizeAtLeast,
  type OutputPaste,
  type Tile,
  type TiledAxis,
  type TilePlan,
  type TilingOptions,
} from './tiling.js';
export {
  compareTensors,
  predict,
  predictImage,
  testModel,
  type ModelTestResult,
  type OutputComparison,
  type PredictedImage,
  type PredictImageResult,
  type PredictOptions,
  type TestModelOptions,
} from './predict.js';
