import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeRoCrate } from './build-ro-crate.js';
import { checkRoCrate } from './check-ro-crate.js';
import type { RoCrateDocument, RoCrateEntity } from './ro-crate-types.js';
import { provenanceScenario } from './test-support/provenance-scenario.js';

let dir: string;
let crate: string;
let doc: RoCrateDocument;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'biit-check-'));
  crate = join(dir, 'crate');
  doc = await writeRoCrate(await provenanceScenario(join(dir, 'exp')), crate, { license: 'CC-BY-4.0' });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const OUTPUT = 'threshold/o_population1_001.tif';
const edit = (fn: (e: RoCrateEntity) => RoCrateEntity | undefined): RoCrateDocument => ({
  ...doc,
  '@graph': doc['@graph'].flatMap((e) => fn(e) ?? []),
});

describe('checkRoCrate', () => {
  it('passes the crate as written', async () => {
    expect(await checkRoCrate(doc, crate, { expectedOutputs: ['t1', 't2', 'c1', 'v1'] })).toEqual([]);
  });

  it('detects an output file removed from the crate folder', async () => {
    await rm(join(crate, 'threshold', 'o_population1_001.tif'));
    expect(await checkRoCrate(doc, crate)).toEqual([`File '${OUTPUT}' is missing from the crate folder`]);
  });

  it('detects an output File entity removed from the graph', async () => {
    const corrupt = edit((e) => (e['@id'] === OUTPUT ? undefined : e));
    const problems = await checkRoCrate(corrupt, crate, { expectedOutputs: ['t1'] });
    expect(problems).toContain(`'#run/run-a/job/a1' result links to '${OUTPUT}', which is not in @graph`);
    expect(problems).toContain(`'threshold/' hasPart links to '${OUTPUT}', which is not in @graph`);
    expect(problems).toContain(`file '${OUTPUT}' in the crate folder is not described by a File`);
    expect(problems).toContain('output item t1 is not the result of any action');
  });

  it('detects a data file whose content no longer matches its recorded sha256 and size', async () => {
    await writeFile(join(crate, 'threshold', 'o_population1_001.tif'), 'tampered!!!');
    const problems = await checkRoCrate(doc, crate);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/has 11 bytes, the crate records 10/);
    expect(problems[1]).toMatch(/has sha256 [0-9a-f]{64}, the crate records [0-9a-f]{64}/);
  });

  it('detects a missing context, descriptor, profile, instrument, agent, inputs and outputs', async () => {
    const broken = edit((e) => {
      if (e['@id'] === 'ro-crate-metadata.json') return undefined;
      if (e['@id'] === './') return { ...e, conformsTo: [] };
      if (e['@id'] === '#run/run-a/job/a1') return { ...e, instrument: [], agent: [], object: [], result: [] };
      return e;
    });
    const problems = await checkRoCrate({ ...broken, '@context': 'https://schema.org/' }, crate);
    expect(problems).toEqual([
      '@context does not include https://w3id.org/ro/crate/1.1/context',
      "no metadata descriptor 'ro-crate-metadata.json'",
      'root data entity does not conform to the Process Run Crate profile',
      "action '#run/run-a/job/a1' has no SoftwareApplication instrument",
      "action '#run/run-a/job/a1' has no Person agent",
      "action '#run/run-a/job/a1' has no object (inputs)",
      "action '#run/run-a/job/a1' has no result (outputs)",
    ]);
  });

  it('detects files left out of hasPart, actions left out of mentions, and duplicate ids', async () => {
    const root = doc['@graph'].find((e) => e['@id'] === './') as RoCrateEntity;
    const pruned = edit((e) => (e['@id'] === './' ? { ...e, hasPart: [], mentions: [] } : e));
    const problems = await checkRoCrate({ ...pruned, '@graph': [...pruned['@graph'], root] }, crate);
    expect(problems).toContain("duplicate @id './'");
    expect(problems).toContain(`File '${OUTPUT}' is not in the root's hasPart (directly or through a Dataset)`);
    expect(problems).toContain("Dataset 'threshold/' is not in the root's hasPart (directly or through a Dataset)");
    expect(problems).toContain("action '#run/run-a/job/a1' is not in the root's mentions");
  });

  it('refuses File ids that climb out of the crate', async () => {
    const escaping = edit((e) => (e['@id'] === './' ? { ...e, hasPart: [...(e['hasPart'] as []), { '@id': '../secret' }] } : e));
    const problems = await checkRoCrate(
      {
        ...escaping,
        '@graph': [...escaping['@graph'], { '@id': '../secret', '@type': 'File', contentSize: '1', sha256: 'a'.repeat(64), encodingFormat: 'text/plain' }],
      },
      crate,
    );
    expect(problems).toEqual(["File '../secret' leaves the crate folder"]);
  });
});
