import os from 'node:os';

/** A virtual package (`__glibc`, `__linux`, `__unix`, `__osx`, `__win`) describing this machine to the solver. */
export interface VirtualPackage {
  readonly name: string;
  readonly version: string;
  readonly build: string;
}

let glibc: { readonly version: string | undefined } | undefined;

/** The glibc version Node reports for this process, when it runs on glibc (the report is made once). */
function glibcVersion(): string | undefined {
  glibc ??= { version: (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header?.glibcVersionRuntime };
  return glibc.version;
}

/**
 * The virtual packages conda would detect here: `__unix` and `__linux` (kernel version) plus
 * `__glibc` on Linux, `__osx` on macOS, `__win` on Windows, and `__archspec` with the base
 * architecture (`x86_64`, `aarch64`, `arm64`; not the CPU's micro-architecture level). Packages
 * built against a C library depend on them (`__glibc >=2.17`).
 */
export function detectVirtualPackages(
  platform: NodeJS.Platform = process.platform,
  glibc: string | undefined = glibcVersion(),
  arch: string = process.arch,
): VirtualPackage[] {
  const found: VirtualPackage[] = [];
  const release = /^\d+(\.\d+)*/.exec(os.release())?.[0] ?? '0';
  if (platform === 'win32') return [{ name: '__win', version: '0', build: '0' }];
  found.push({ name: '__unix', version: '0', build: '0' });
  const microarch = archspecOf(arch);
  if (microarch !== undefined) found.push({ name: '__archspec', version: '1', build: microarch });
  if (platform === 'linux') {
    found.push({ name: '__linux', version: release, build: '0' });
    if (glibc !== undefined) found.push({ name: '__glibc', version: glibc, build: '0' });
  } else if (platform === 'darwin') {
    found.push({ name: '__osx', version: release, build: '0' });
  }
  return found;
}

function archspecOf(arch: string): string | undefined {
  return ({ x64: 'x86_64', arm64: process.platform === 'darwin' ? 'arm64' : 'aarch64', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[arch];
}

/** True for names of virtual packages (never downloaded or installed). */
export const isVirtualPackage = (name: string): boolean => name.startsWith('__');
