import { ToolError } from '../errors/area-errors.js';
import type { ToolManifest } from './tool-manifest.js';

/** File extensions (with the dot) of the v1 format ids, as in v1's formats.json. */
export const FORMAT_EXTENSIONS: Readonly<Record<string, string>> = Object.freeze({
  imagetiff: '.tif',
  tablecsv: '.csv',
  numbercsv: '.csv',
  arraycsv: '.csv',
  imagezarr: '.zarr',
  movietxt: '.txt',
  trackmatemodel: '.xml',
});

/** The default output file-name template: v1's `<output name>_<input stem>`. */
export const DEFAULT_OUTPUT_TEMPLATE = '{output}_{input.stem}';

/** The input an output is named after: its file stem and the data item's name (defaults to the stem). */
export interface OutputNameInput {
  readonly stem: string;
  readonly name?: string;
}

const FIELD = /\{(output|input\.stem|input\.name|index)\}/g;

/**
 * The extension (with the dot) for an output: its own `extension`, else the one of its format id.
 * Returns undefined when neither is known.
 */
export function outputExtension(output: { readonly format: string; readonly extension?: string }): string | undefined {
  if (output.extension !== undefined && output.extension !== '') {
    return output.extension.startsWith('.') ? output.extension : `.${output.extension}`;
  }
  return FORMAT_EXTENSIONS[output.format];
}

/**
 * The file name of output `outputName` for one job: the output's `template` (default
 * `{output}_{input.stem}`) with `{output}`, `{input.stem}`, `{input.name}` and `{index}` filled in,
 * plus the output's extension. For v1's threshold tool, output `o` of input `population1_001` is
 * `o_population1_001.tif`. Called by the job engine to place outputs in the staging folder.
 *
 * @throws ToolError NOT_FOUND for an unknown output; BAD_PARAMETER when the template needs an
 * `{index}` that was not given or the result is not a plain file name (empty, `.`/`..`, a path
 * separator or NUL); BAD_MANIFEST when no extension is known for the output's format.
 */
export function outputFileName(manifest: ToolManifest, outputName: string, input: string | OutputNameInput, index?: number): string {
  const output = manifest.outputs.find((o) => o.name === outputName);
  const details = { tool: manifest.id, file: manifest.source, output: outputName };
  if (output === undefined) {
    throw new ToolError('NOT_FOUND', `tool '${manifest.id}' (${manifest.source}) has no output '${outputName}'`, { details });
  }
  const { stem, name = stem } = typeof input === 'string' ? { stem: input } : input;
  const template = output.template ?? DEFAULT_OUTPUT_TEMPLATE;
  const base = template.replace(FIELD, (_match, field: string) => {
    if (field === 'output') return output.name;
    if (field === 'input.stem') return stem;
    if (field === 'input.name') return name;
    if (index === undefined) {
      throw new ToolError('BAD_PARAMETER', `tool '${manifest.id}': output '${outputName}' template '${template}' needs an {index}`, { details });
    }
    return String(index);
  });
  const extension = outputExtension(output);
  if (extension === undefined) {
    throw new ToolError(
      'BAD_MANIFEST',
      `${manifest.source}: outputs '${outputName}' has format '${output.format}' with no known extension; set its 'extension'`,
      { details: { ...details, field: 'extension' } },
    );
  }
  const fileName = base + extension;
  if (base === '' || base === '.' || base === '..' || /[/\\\0]/.test(fileName)) {
    throw new ToolError('BAD_PARAMETER', `tool '${manifest.id}': output file name '${fileName}' is not a plain file name`, { details });
  }
  return fileName;
}
