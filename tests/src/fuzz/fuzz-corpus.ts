import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { declaredPlanesTiff, deflateBomb, longAttributeTiff, mutatedTiffs, seedTiffs, type CorpusFile } from '@bioimageit/core/testing';

/**
 * The import fuzz corpus (issue 16): `mutated` seeded mutations of seven valid TIFFs, the valid
 * seeds themselves, and the hand-made hostile cases of the red-team report: planes declared by
 * the billion (ImageJ and OME), a 1 MiB deflate bomb of 32768² pixels, OME-XML attribute runs of
 * 100k and 400k characters, an empty file, and names a store cannot hold as they are.
 */
export async function fuzzCorpus(mutated: number, seed: number): Promise<CorpusFile[]> {
  const valid = seedTiffs()[0]!.bytes;
  const hostile: CorpusFile[] = [
    { name: 'declared_imagej_1e9.tif', bytes: declaredPlanesTiff('imagej', 1_000_000_000), how: 'ImageJ images=1000000000 in a 16x16 file' },
    { name: 'declared_ome_1e9.ome.tif', bytes: declaredPlanesTiff('ome', 1_000_000_000), how: 'OME SizeZ=1000000000 in a 16x16 file' },
    { name: 'deflate_bomb_32768.tif', bytes: await deflateBomb(32768, 32768), how: 'one deflate strip of 32768x32768 zeros' },
    { name: 'attribute_run_100k.ome.tif', bytes: longAttributeTiff(100_000), how: 'OME-XML attribute run of 100k characters' },
    { name: 'attribute_run_400k.ome.tif', bytes: longAttributeTiff(400_000), how: 'OME-XML attribute run of 400k characters' },
    { name: 'empty.tif', bytes: new Uint8Array(0), how: 'an empty file' },
    { name: 'scan..2.tif', bytes: valid, how: "a name with '..'" },
    { name: 'bell\u0007ring.tif', bytes: valid, how: 'a name with a control character' },
    { name: 'back\\slash.tif', bytes: valid, how: 'a name with a backslash' },
    { name: `${'long'.repeat(60)}.tif`, bytes: valid, how: 'a 244-byte name' },
  ];
  return [...seedTiffs(), ...hostile, ...mutatedTiffs(mutated, seed)];
}

/** Writes the corpus flat into `dir` (for one import of everything) and returns the paths. */
export async function writeCorpus(dir: string, corpus: readonly CorpusFile[]): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const paths = corpus.map((file) => join(dir, file.name));
  for (const [i, file] of corpus.entries()) await writeFile(paths[i]!, file.bytes);
  return paths;
}
