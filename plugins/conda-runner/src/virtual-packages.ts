import os from 'node:os';

/** A virtual package (`__glibc`, `__linux`, `__unix`, `__osx`, `__win`) describing this machine to the solver. */
export interface VirtualPackage {
  readonly name: string;
  readonly version: string;
  readonly build: string;
}

/** The glibc version Node reports for this process, when it runs on glibc. */
function glibcVersion(): string | undefined {
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  return header?.glibcVersionRuntime;
}

/**
 * The virtual packages conda would detect here: `__unix` and `__linux` (kernel version) plus
 * `__glibc` on Linux, `__osx` on macOS, `__win` on Windows. Packages built against a C library
 * depend on them (`__glibc >=2.17`).
 */
export function detectVirtualPackages(platform: NodeJS.Platform = process.platform, glibc: string | undefined = glibcVersion()): VirtualPackage[] {
  const found: VirtualPackage[] = [];
  const release = /^\d+(\.\d+)*/.exec(os.release())?.[0] ?? '0';
  if (platform === 'win32') return [{ name: '__win', version: '0', build: '0' }];
  found.push({ name: '__unix', version: '0', build: '0' });
  if (platform === 'linux') {
    found.push({ name: '__linux', version: release, build: '0' });
    if (glibc !== undefined) found.push({ name: '__glibc', version: glibc, build: '0' });
  } else if (platform === 'darwin') {
    found.push({ name: '__osx', version: release, build: '0' });
  }
  return found;
}

/** True for names of virtual packages (never downloaded or installed). */
export const isVirtualPackage = (name: string): boolean => name.startsWith('__');
