/** IANA media types of v1 format ids (formats.json names). */
const BY_FORMAT: Readonly<Record<string, string>> = {
  imagetiff: 'image/tiff',
  imagepng: 'image/png',
  imagejpg: 'image/jpeg',
  imagejpeg: 'image/jpeg',
  imagezarr: 'application/zarr',
  tablecsv: 'text/csv',
  numbercsv: 'text/csv',
  arraycsv: 'text/csv',
  movietxt: 'text/plain',
  tracktxt: 'text/plain',
  trackmate: 'application/xml',
  json: 'application/json',
};

/** Media types by file extension (lower case, longest first where they nest). */
const BY_EXTENSION: readonly (readonly [string, string])[] = [
  ['.ome.tiff', 'image/tiff'],
  ['.ome.tif', 'image/tiff'],
  ['.tiff', 'image/tiff'],
  ['.tif', 'image/tiff'],
  ['.png', 'image/png'],
  ['.jpeg', 'image/jpeg'],
  ['.jpg', 'image/jpeg'],
  ['.csv', 'text/csv'],
  ['.tsv', 'text/tab-separated-values'],
  ['.txt', 'text/plain'],
  ['.json', 'application/json'],
  ['.xml', 'application/xml'],
  ['.zarr', 'application/zarr'],
];

/**
 * The IANA media type (`encodingFormat`) of a data file: from the item's format id when known,
 * else from the file name's extension, else `application/octet-stream`.
 */
export function mediaTypeOf(format: string, fileName: string): string {
  const known = BY_FORMAT[format.toLowerCase()];
  if (known !== undefined) return known;
  const lower = fileName.toLowerCase();
  return BY_EXTENSION.find(([ext]) => lower.endsWith(ext))?.[1] ?? 'application/octet-stream';
}
