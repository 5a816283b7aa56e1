import type { ToolInput, ToolManifestBody } from '@bioimageit/core';

/** The plugin id: tool ids are `gpu-decon.<name>` and their requirement names this plugin. */
export const PLUGIN_ID = 'gpu-decon';

/** Tool version, bumped with any change of what a tool computes. */
export const TOOLS_VERSION = '0.1.0';

const stack: ToolInput = {
  name: 'stack',
  type: 'data',
  format: 'imagetiff',
  label: 'Stack',
  help: 'A 3-D TIFF or OME-TIFF stack (one channel, one time point).',
};
const psf: ToolInput = { name: 'psf', type: 'data', format: 'imagetiff', label: 'PSF', help: 'A measured 3-D PSF (bead stack) as TIFF or OME-TIFF.' };

const geometry: ToolInput[] = [
  { name: 'dz', type: 'float', default: 0.5, min: 0.001, max: 100, label: 'Stage step dz (µm)', help: 'Distance between raw planes along the stage scan.' },
  { name: 'dx', type: 'float', default: 0.1, min: 0.001, max: 100, label: 'Pixel size dx (µm)' },
  { name: 'angle', type: 'float', default: 31.5, min: -179, max: 179, label: 'Sheet angle θ (degrees)', help: 'Negative angles flip the shear (θ + 180).' },
];

const deconParams: ToolInput[] = [
  { name: 'iterations', type: 'int', default: 10, min: 0, max: 1000, label: 'Richardson–Lucy iterations' },
  {
    name: 'padding',
    type: 'choice',
    default: 'padded',
    label: 'Boundary',
    help: 'padded: linear convolution on a zero-padded grid (scikit-image results, same shape). wrap: circular convolution on a grid cropped to 2,3,5,7-smooth sizes with apodized edges (cudaDecon, faster; the output may be a few pixels smaller).',
    choices: [
      { value: 'padded', label: 'padded (scikit-image)' },
      { value: 'wrap', label: 'wrap (cudaDecon)' },
    ],
  },
  {
    name: 'accelerate',
    type: 'bool',
    default: false,
    label: 'Biggs–Andrews acceleration',
    help: 'First-order acceleration from the third iteration (cudaDecon).',
  },
  {
    name: 'background',
    type: 'float',
    default: 0,
    min: 0,
    max: 1e9,
    label: 'Background',
    help: 'Subtracted from the stack before deconvolution (results clamped at 0).',
  },
  {
    name: 'background_auto',
    type: 'bool',
    default: false,
    label: 'Estimate background',
    help: 'Use the median of the last plane instead of background.',
    advanced: true,
  },
  { name: 'psf_background', type: 'float', default: 0, min: 0, max: 1e9, label: 'PSF background', advanced: true },
  { name: 'psf_background_auto', type: 'bool', default: true, label: 'Estimate PSF background', help: 'Median of the PSF border voxels.', advanced: true },
  {
    name: 'psf_dz',
    type: 'float',
    default: 0,
    min: 0,
    max: 100,
    label: 'PSF z step (µm)',
    help: '0: same as the data. Otherwise the PSF is resampled to the data voxel size.',
    advanced: true,
  },
  { name: 'psf_dx', type: 'float', default: 0, min: 0, max: 100, label: 'PSF pixel size (µm)', help: '0: same as the data.', advanced: true },
  { name: 'radial_psf', type: 'bool', default: false, label: 'Radially average the PSF', advanced: true },
  { name: 'napodize', type: 'int', default: 10, min: 0, max: 200, label: 'Apodized edge pixels (wrap)', advanced: true },
  { name: 'ratio_limit', type: 'float', default: 0, min: 0, max: 1e6, label: 'Ratio clamp (0: none; cudaDecon: 10)', advanced: true },
  {
    name: 'device',
    type: 'choice',
    default: 'auto',
    label: 'Device',
    advanced: true,
    choices: [
      { value: 'auto', label: 'CUDA when present, else CPU' },
      { value: 'cpu', label: 'CPU (FFTW)' },
      { value: 'cuda', label: 'CUDA (cuFFT)' },
    ],
  },
];

/** `--name={params.name}` for each parameter, so the native runner reads them back by name. */
function flags(inputs: readonly ToolInput[]): string[] {
  return inputs.map((i) => (i.type === 'data' ? `--${i.name}={inputs.${i.name}}` : `--${i.name}={params.${i.name}}`));
}

function tool(name: string, title: string, description: string, inputs: ToolInput[], outputs: ToolManifestBody['outputs'], help: string): ToolManifestBody {
  return {
    id: `${PLUGIN_ID}.${name}`,
    name: title,
    version: TOOLS_VERSION,
    description,
    categories: ['Deconvolution', 'Light-sheet'],
    inputs,
    outputs,
    command: { argv: [PLUGIN_ID, name, ...flags(inputs), ...outputs.map((o) => `--out-${o.name}={outputs.${o.name}}`)] },
    requirements: { native: { plugin: PLUGIN_ID } },
    resources: { memoryMb: 4096 },
    type: 'map',
    tests: [],
    help,
    owner: 'bioimageit',
  };
}

const stackOut = (name: string, label: string): ToolManifestBody['outputs'][number] => ({
  name,
  format: 'imagetiff',
  label,
  template: `{input.stem}_${name}`,
  extension: '.ome.tif',
});

/** The manifests of the plugin's tools (sealed with source `plugin:gpu-decon` by the tool source). */
export const GPU_DECON_TOOLS: readonly ToolManifestBody[] = [
  tool(
    'deskew',
    'Deskew (stage scan)',
    'Shears a stage-scanned light-sheet stack into the sample frame (cosθ·dz/dx pixels per plane, linear interpolation).',
    [stack, ...geometry, { name: 'rotate', type: 'bool', default: false, label: 'Rotate to the coverslip frame', help: 'Isotropic output voxels (dx).' }],
    [stackOut('deskewed', 'Deskewed stack (float32 OME-TIFF)')],
    'Output width nx + floor(nz·dz·|cosθ|/dx), z step dz·sinθ. Pixels no input covers are 0.',
  ),
  tool(
    'deconvolve',
    'Richardson–Lucy deconvolution',
    'Richardson–Lucy deconvolution with a measured PSF (FFTW on the CPU, cuFFT where a GPU is present).',
    [
      stack,
      psf,
      ...deconParams,
      {
        name: 'dz',
        type: 'float',
        default: 0,
        min: 0,
        max: 100,
        label: 'Data z step (µm)',
        help: '0: from the file (needed to resample a PSF of another voxel size).',
      },
      { name: 'dx', type: 'float', default: 0, min: 0, max: 100, label: 'Data pixel size (µm)', help: '0: from the file.' },
    ],
    [stackOut('deconvolved', 'Deconvolved stack (float32 OME-TIFF)')],
    'Pair each stack with its PSF (match by position or by tags). The PSF is cleaned (background, peak centring, unit sum) before it becomes the OTF.',
  ),
  tool(
    'llsm',
    'Lattice light-sheet: deskew + deconvolve + MIPs',
    'Deskews a stage-scanned stack, deconvolves it with Richardson–Lucy, and writes maximum-intensity projections.',
    [
      stack,
      psf,
      ...geometry,
      ...deconParams.map((p) => (p.name === 'padding' ? { ...p, default: 'wrap' } : p.name === 'accelerate' ? { ...p, default: true } : p)),
      { name: 'rotate', type: 'bool', default: false, label: 'Rotate the result to the coverslip frame' },
    ],
    [
      stackOut('deskewed', 'Deskewed stack (float32 OME-TIFF)'),
      stackOut('deconvolved', 'Deconvolved stack (float32 OME-TIFF)'),
      { name: 'mip', format: 'imagepng', label: 'Maximum projections (XY, XZ, YZ) as PNG', template: '{input.stem}_mip', extension: '.png' },
    ],
    'The PSF is taken at the deskewed voxel size (dz·sinθ, dx) unless psf_dz/psf_dx say otherwise, and is resampled to it.',
  ),
];
