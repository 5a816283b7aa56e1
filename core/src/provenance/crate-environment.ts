import { isRecord } from '../util/is-record.js';
import type { ProvenanceActivity } from './provenance-snapshot.js';
import type { RoCrateEntity } from './ro-crate-types.js';

const ref = (id: string) => ({ '@id': id });

interface LockedPackageFacts {
  readonly name: string;
  readonly version: string;
  readonly build?: string;
  readonly channel?: string;
}

/** The lock a job's `conda` facts carry, or the one of the job of the same run its `lockIn` names. */
function condaLock(a: ProvenanceActivity, conda: Readonly<Record<string, unknown>>): readonly LockedPackageFacts[] {
  const valid = (list: unknown): LockedPackageFacts[] | undefined =>
    Array.isArray(list)
      ? list.filter((p): p is LockedPackageFacts => isRecord(p) && typeof p['name'] === 'string' && typeof p['version'] === 'string')
      : undefined;
  const own = valid(conda['lock']);
  if (own !== undefined) return own;
  const first = a.run.jobs?.find((j) => j.id === conda['lockIn'])?.environment?.['conda'];
  return (isRecord(first) ? valid(first['lock']) : undefined) ?? [];
}

/**
 * The conda environment a job ran in (the conda runner's `conda` facts: `lockSha256`, the lock or
 * `lockIn`), as a SoftwareApplication whose `hasPart` lists every locked package (name,
 * `softwareVersion`, build as `identifier`, channel as `url`); the action then names it as a
 * second `instrument`. Empty for other jobs.
 */
export function condaEnvironment(a: ProvenanceActivity): RoCrateEntity[] {
  const conda = a.job?.environment?.['conda'];
  if (!isRecord(conda) || typeof conda['lockSha256'] !== 'string') return [];
  const digest = conda['lockSha256'];
  const packages: RoCrateEntity[] = condaLock(a, conda).map((p) => ({
    '@id': `#conda-package/${encodeURIComponent(`${p.channel ?? ''}/${p.name}-${p.version}-${p.build ?? ''}`)}`,
    '@type': 'SoftwareApplication',
    name: p.name,
    softwareVersion: p.version,
    ...(typeof p.build === 'string' && p.build !== '' && { identifier: p.build }),
    ...(typeof p.channel === 'string' && p.channel !== '' && { url: p.channel }),
  }));
  const where = typeof conda['name'] === 'string' ? conda['name'] : typeof conda['prefix'] === 'string' ? conda['prefix'] : undefined;
  const environment: RoCrateEntity = {
    '@id': `#conda-environment/${digest}`,
    '@type': 'SoftwareApplication',
    name: `conda environment${where !== undefined ? ` ${where}` : ''}`,
    identifier: `sha256:${digest}`,
    description: `The locked conda environment the tool ran in (${typeof conda['packages'] === 'number' ? conda['packages'] : packages.length} packages; sha256 of the lock).`,
    ...(packages.length > 0 && { hasPart: packages.map((p) => ref(p['@id'])) }),
  };
  return [environment, ...packages];
}

/**
 * The Process Run Crate `ContainerImage` of a job run in a container, from the environment its
 * runner recorded (`image` reference, `imageId`, `imageDigests`), or undefined.
 */
export function containerImage(environment: Readonly<Record<string, unknown>> | undefined): RoCrateEntity | undefined {
  const reference = environment?.['image'];
  if (typeof reference !== 'string' || reference === '') return undefined;
  const imageId = typeof environment?.['imageId'] === 'string' ? (environment['imageId'] as string) : undefined;
  const at = reference.lastIndexOf('@');
  const colon = reference.lastIndexOf(':');
  const named = at >= 0 ? reference.slice(0, at) : colon > reference.lastIndexOf('/') ? reference.slice(0, colon) : reference;
  const tag = at < 0 && colon > reference.lastIndexOf('/') ? reference.slice(colon + 1) : undefined;
  const digests = Array.isArray(environment?.['imageDigests'])
    ? (environment['imageDigests'] as unknown[]).filter((d): d is string => typeof d === 'string')
    : [];
  return {
    '@id': `#container/${encodeURIComponent(imageId ?? reference)}`,
    '@type': 'ContainerImage',
    additionalType: ref('https://w3id.org/ro/terms/workflow-run#DockerImage'),
    name: named,
    ...(tag !== undefined && { tag }),
    ...(imageId?.startsWith('sha256:') === true && { sha256: imageId.slice('sha256:'.length) }),
    ...(digests.length > 0 && { identifier: digests }),
  };
}
