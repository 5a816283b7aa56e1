import { RunnerError } from '@bioimageit/core';
import type { SolvedEnvironmentSpec } from './environment-spec.js';
import { serveLocalChannels, type ServedChannels } from './local-channels.js';
import { detectVirtualPackages, isVirtualPackage, type VirtualPackage } from './virtual-packages.js';

/** One package of a solution: where to get it and exactly which build it is. */
export interface SolvedRecord {
  readonly name: string;
  readonly version: string;
  readonly build: string;
  readonly buildNumber: number;
  /** Channel URL without a trailing slash. */
  readonly channel: string;
  readonly subdir: string;
  readonly url: string;
  readonly filename: string;
  readonly sha256?: string;
  readonly md5?: string;
  readonly size?: number;
  readonly depends: readonly string[];
}

/** The package a solver message says cannot be satisfied (`biit-lib >=2`), when it says so. */
export function unsatisfiablePackage(message: string): string | undefined {
  const patterns = [
    /[└├]─ (.+?), for which no candidates were found/m,
    /No candidates were found for (.+?)\.?\s*$/m,
    /^\s*(?:[└├]─ )?(.+?) cannot be installed because/m,
  ];
  for (const pattern of patterns) {
    const hit = pattern.exec(message)?.[1]?.trim();
    if (hit !== undefined && hit !== '') return hit.replace(/ \*$/, '');
  }
  return undefined;
}

/** The first channel whose repodata cannot be fetched for any of `subdirs`, and why; undefined when all answer. */
export async function unreachableChannel(
  channels: readonly string[],
  subdirs: readonly string[],
  timeoutMs = 10_000,
): Promise<{ channel: string; why: string } | undefined> {
  for (const channel of channels) {
    let why: string | undefined;
    for (const subdir of subdirs) {
      const url = `${channel}${subdir}/repodata.json`;
      try {
        const response = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(timeoutMs) });
        if (response.ok) {
          why = undefined;
          break;
        }
        why = `HTTP ${response.status} for ${url}`;
      } catch (e) {
        const cause = (e as { cause?: { code?: string; message?: string } }).cause;
        return { channel, why: cause?.code ?? cause?.message ?? (e instanceof Error ? e.message : String(e)) };
      }
    }
    if (why !== undefined) return { channel, why };
  }
  return undefined;
}

type RattlerModule = typeof import('@conda-org/rattler');

/** How long a solve (fetching every channel's repodata included) may take before it is abandoned. */
export const SOLVE_TIMEOUT_MS = 300_000;
let rattler: Promise<RattlerModule> | undefined;

/**
 * Solves a requirement set with rattler (WASM) against its channels for this platform and
 * `noarch`, with this machine's virtual packages installed. Virtual packages are left out of the
 * result. Local channel folders (`file://`) are served on 127.0.0.1 for the solve (rattler's WASM
 * build fetches over HTTP only) and keep their `file://` URLs in the result. Throws RunnerError
 * UNAVAILABLE: naming the spec that cannot be satisfied (`details.package`) with the solver's
 * explanation, or naming the channel that cannot be reached or does not answer within
 * `timeoutMs` (`details.channel`).
 */
export async function solveWithRattler(
  spec: SolvedEnvironmentSpec,
  label: string,
  virtuals: readonly VirtualPackage[] = detectVirtualPackages(),
  timeoutMs = SOLVE_TIMEOUT_MS,
): Promise<SolvedRecord[]> {
  rattler ??= import('@conda-org/rattler');
  const { simpleSolve } = await rattler;
  const subdirs = [spec.platform, 'noarch'];
  const locked = virtuals.map((v) => ({
    url: `virtual:${v.name}-${v.version}-${v.build}`,
    packageName: v.name,
    version: v.version,
    build: v.build,
    subdir: spec.platform,
    filename: `${v.name}-${v.version}-${v.build}.tar.bz2`,
  }));
  const served = await serveLocalChannels(spec.channels);
  try {
    return toRecords(await solveOrExplain(spec, served, subdirs, locked, label, timeoutMs, simpleSolve), served);
  } finally {
    await served.close();
  }
}

/** Runs the solver; turns its failures into errors naming the package or the channel at fault. */
async function solveOrExplain(
  spec: SolvedEnvironmentSpec,
  served: ServedChannels,
  subdirs: readonly string[],
  locked: readonly Record<string, string>[],
  label: string,
  timeoutMs: number,
  simpleSolve: RattlerModule['simpleSolve'],
): Promise<Awaited<ReturnType<RattlerModule['simpleSolve']>>> {
  try {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer from the channels within ${timeoutMs / 1000} s (error sending request)`)), timeoutMs);
    });
    try {
      return await Promise.race([simpleSolve([...spec.specs], [...served.channels], subdirs as Parameters<RattlerModule['simpleSolve']>[2], locked), limit]);
    } finally {
      clearTimeout(timer);
    }
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const channels = spec.channels.join(', ');
    if (/cannot solve/i.test(message)) {
      const culprit = unsatisfiablePackage(message);
      const head = culprit === undefined ? 'the requirements cannot be satisfied' : `'${culprit}' cannot be satisfied`;
      throw new RunnerError(
        'UNAVAILABLE',
        `${label}: conda environment [${spec.specs.join(', ')}]: ${head} from ${channels}: ${message.trim().replace(/\s*\n\s*/g, ' ')}`,
        {
          details: { specs: spec.specs, channels: spec.channels, ...(culprit !== undefined && { package: culprit }) },
        },
      );
    }
    const down = await unreachableChannel(served.channels, subdirs, Math.min(10_000, timeoutMs));
    if (down !== undefined) {
      const channel = served.toOriginal(down.channel);
      throw new RunnerError('UNAVAILABLE', `${label}: conda channel ${channel} cannot be reached (${down.why})`, {
        details: { channel, specs: spec.specs },
      });
    }
    throw new RunnerError('UNAVAILABLE', `${label}: solving conda environment [${spec.specs.join(', ')}] over ${channels} failed: ${message}`, {
      details: { specs: spec.specs, channels: spec.channels },
    });
  }
}

/** The solver's packages as records, virtual packages left out, local channels' URLs given back. */
function toRecords(solved: Awaited<ReturnType<RattlerModule['simpleSolve']>>, served: ServedChannels): SolvedRecord[] {
  return solved
    .filter((p) => !isVirtualPackage(p.packageName))
    .map((p) => {
      const record: SolvedRecord = {
        name: p.packageName,
        version: p.version,
        build: p.build,
        buildNumber: Number(p.buildNumber ?? 0),
        channel: served.toOriginal(p.repoName ?? p.url.slice(0, p.url.lastIndexOf('/', p.url.lastIndexOf('/') - 1) + 1)).replace(/\/+$/, ''),
        subdir: p.subdir ?? p.url.split('/').slice(-2, -1)[0] ?? 'noarch',
        url: served.toOriginal(p.url),
        filename: p.filename,
        ...(p.sha256 !== undefined && { sha256: p.sha256 }),
        ...(p.md5 !== undefined && { md5: p.md5 }),
        ...(p.size !== undefined && { size: Number(p.size) }),
        depends: p.depends ?? [],
      };
      p.free();
      return record;
    });
}
