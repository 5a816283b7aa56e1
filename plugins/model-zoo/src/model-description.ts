/**
 * A BioImage Model Zoo model package (bioimage.io `rdf.yaml`, format 0.4 or 0.5) as this plugin
 * uses it: one normalized shape for both format versions (see `readModelPackage`). Plain readonly
 * JSON types.
 *
 * Axes use the 0.5 vocabulary: `batch` (id `b`), `channel` (`c`), `index` (`i`), `time` (`t`) and
 * `space` (`z`, `y`, `x`); a 0.4 axes string such as `bcyx` maps letter by letter.
 */

/** One axis of a tensor. */
export interface AxisDescription {
  /** `b`, `c`, `i`, `t`, `z`, `y`, `x` (0.5 allows other ids for index/space axes; kept as given). */
  readonly id: string;
  readonly type: 'batch' | 'channel' | 'index' | 'time' | 'space';
  /**
   * Size: a fixed number; `{ min, step }` (any `min + k·step`, k ≥ 0, tiling chooses k); or, for
   * an output, `{ reference: { tensor, axis }, scale, offset }` (size = scale · size of that axis
   * of that tensor + offset). Batch axes have size 1 here (one tile at a time).
   */
  readonly size:
    | number
    | { readonly min: number; readonly step: number }
    | { readonly reference: { readonly tensor: string; readonly axis: string }; readonly scale: number; readonly offset: number };
  /** Channel axes: names of the channels when the rdf gives them. */
  readonly channelNames?: readonly string[];
  /** Pixels at each border of this axis (outputs) whose values are unreliable: cropped when tiling. */
  readonly halo?: number;
  /** Physical scale/unit when the rdf gives them (0.5). */
  readonly scale?: number;
  readonly unit?: string;
}

/** One pre- or post-processing step (bioimage.io names; `kwargs` as in the rdf, normalized to 0.5 names). */
export interface ProcessingStep {
  readonly id:
    | 'binarize'
    | 'clip'
    | 'ensure_dtype'
    | 'fixed_zero_mean_unit_variance'
    | 'scale_linear'
    | 'scale_mean_variance'
    | 'scale_range'
    | 'sigmoid'
    | 'zero_mean_unit_variance';
  readonly kwargs: Readonly<Record<string, unknown>>;
}

/** One input or output tensor. */
export interface TensorDescription {
  /** `name` (0.4) or `id` (0.5). */
  readonly id: string;
  readonly description: string;
  /** Slowest axis first, as the model's tensor. */
  readonly axes: readonly AxisDescription[];
  /** `float32`, `uint8`, … (0.4 `data_type`; 0.5 from the test tensor or `ensure_dtype`). */
  readonly dataType: string;
  readonly preprocessing: readonly ProcessingStep[];
  readonly postprocessing: readonly ProcessingStep[];
  /** The test tensor (.npy) path inside the package, relative to its root. */
  readonly testTensor: string;
  /** Sample tensor or image, when given. */
  readonly sampleTensor?: string;
}

/** One weights entry (the formats bioimage.io knows). */
export interface WeightsDescription {
  readonly format: 'onnx' | 'torchscript' | 'pytorch_state_dict' | 'tensorflow_saved_model_bundle' | 'keras_hdf5' | 'tensorflow_js';
  /** Path inside the package (or URL), as the rdf gives it. */
  readonly source: string;
  readonly sha256?: string;
  /** ONNX opset, TorchScript/PyTorch/TensorFlow version, when given. */
  readonly version?: string;
}

/** A person named by the rdf. */
export interface PersonDescription {
  readonly name: string;
  readonly affiliation?: string;
  readonly orcid?: string;
  readonly githubUser?: string;
}

/** The model of a package. */
export interface ModelDescription {
  /** `format_version` as written (`0.4.10`, `0.5.3`). */
  readonly formatVersion: string;
  /** Zoo id when it has one (`affable-shark`), else a slug of the name. */
  readonly id: string;
  readonly name: string;
  /** The model's own version (0.5 `version`), `0` when absent. */
  readonly version: string;
  readonly description: string;
  readonly authors: readonly PersonDescription[];
  readonly maintainers: readonly PersonDescription[];
  readonly license: string;
  readonly cite: readonly { readonly text: string; readonly doi?: string; readonly url?: string }[];
  readonly tags: readonly string[];
  /** Cover images, paths inside the package. */
  readonly covers: readonly string[];
  /** Documentation (markdown) path inside the package. */
  readonly documentation?: string;
  readonly inputs: readonly TensorDescription[];
  readonly outputs: readonly TensorDescription[];
  readonly weights: readonly WeightsDescription[];
  /**
   * Test tolerance: 0.5 `config.bioimageio.reproducibility_tolerance` (relative, absolute, and the
   * elements per million allowed outside them) or the default (rtol 1e-4, atol 1e-4, none outside).
   */
  readonly tolerance: { readonly relative: number; readonly absolute: number; readonly mismatchedElementsPerMillion: number };
}
