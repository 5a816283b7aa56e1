import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/** A file of a test package: its content, executable or not, and an optional prefix placeholder. */
export interface TestFile {
  readonly content: string | Buffer;
  readonly executable?: boolean;
  readonly placeholder?: { readonly text: string; readonly mode: 'text' | 'binary' };
}

/** One conda package to build with `cph create`. */
export interface TestPackage {
  readonly name: string;
  readonly version: string;
  readonly build?: string;
  readonly subdir?: string;
  readonly depends?: readonly string[];
  readonly files: Readonly<Record<string, TestFile>>;
  /** Describe files the pre-conda-build-3 way (`info/files` + `info/has_prefix`) instead of `info/paths.json`. */
  readonly legacyMetadata?: boolean;
  /** `.tar.bz2` (default) or `.conda`. */
  readonly format?: '.tar.bz2' | '.conda';
  /** `noarch` kind of a `noarch` package (default `generic`). */
  readonly noarch?: 'generic' | 'python';
  /** Extra files under `info/` (`link.json`). */
  readonly info?: Readonly<Record<string, string>>;
}

/** The placeholder conda-build 3 uses for binary files: long enough for any test prefix. */
export const LONG_PLACEHOLDER = `/opt/build_env_placehold${'_placehold'.repeat(24)}`;

const run = (argv: string[]): Promise<string> =>
  new Promise((resolve, reject) =>
    execFile(argv[0] as string, argv.slice(1), (e, out, err) => (e === null ? resolve(out) : reject(new Error(`${argv.join(' ')}: ${err || e.message}`)))),
  );

/**
 * Builds a genuine conda package with Debian's `conda-package-handling` (`cph create`): the
 * files, `info/index.json`, and `info/paths.json` (or legacy `info/files` + `info/has_prefix`)
 * with prefix placeholders as conda-build writes them. Returns the archive's path.
 */
export async function buildPackage(work: string, pkg: TestPackage): Promise<string> {
  const build = pkg.build ?? '0';
  const subdir = pkg.subdir ?? 'noarch';
  const dist = `${pkg.name}-${pkg.version}-${build}`;
  const src = path.join(work, 'src', dist);
  await mkdir(path.join(src, 'info'), { recursive: true });
  const paths: Record<string, unknown>[] = [];
  const hasPrefix: string[] = [];
  for (const [rel, file] of Object.entries(pkg.files)) {
    const full = path.join(src, rel);
    await mkdir(path.dirname(full), { recursive: true });
    await writeFile(full, file.content);
    if (file.executable === true) await chmod(full, 0o755);
    const bytes = await readFile(full);
    paths.push({
      _path: rel,
      path_type: 'hardlink',
      sha256: createHash('sha256').update(bytes).digest('hex'),
      size_in_bytes: bytes.length,
      ...(file.placeholder !== undefined && { prefix_placeholder: file.placeholder.text, file_mode: file.placeholder.mode }),
    });
    if (file.placeholder !== undefined) hasPrefix.push(`${file.placeholder.text} ${file.placeholder.mode} ${rel}`);
  }
  const index = {
    name: pkg.name,
    version: pkg.version,
    build,
    build_number: 0,
    depends: pkg.depends ?? [],
    subdir,
    license: 'BSD-3-Clause',
    timestamp: 1_700_000_000_000,
    ...(subdir === 'noarch' && { noarch: pkg.noarch ?? 'generic' }),
  };
  await writeFile(path.join(src, 'info', 'index.json'), JSON.stringify(index));
  for (const [name, content] of Object.entries(pkg.info ?? {})) await writeFile(path.join(src, 'info', name), content);
  if (pkg.legacyMetadata === true) {
    await writeFile(path.join(src, 'info', 'files'), `${Object.keys(pkg.files).join('\n')}\n`);
    if (hasPrefix.length > 0) await writeFile(path.join(src, 'info', 'has_prefix'), `${hasPrefix.join('\n')}\n`);
  } else {
    await writeFile(path.join(src, 'info', 'paths.json'), JSON.stringify({ paths, paths_version: 1 }));
  }
  const out = path.join(work, 'channel', subdir);
  await mkdir(out, { recursive: true });
  const filename = `${dist}${pkg.format ?? '.tar.bz2'}`;
  await run(['cph', 'create', src, filename, '--out-folder', out]);
  return path.join(out, filename);
}

/** A channel served on 127.0.0.1, counting the requests it answers. */
export interface TestChannel {
  /** `http://127.0.0.1:PORT/` */
  readonly url: string;
  /** Number of requests per path (`/noarch/biit-lib-2.0.0-0.tar.bz2`). */
  readonly requests: Map<string, number>;
  close(): Promise<void>;
}

/** Writes `repodata.json` for `linux-64` and `noarch` from the built archives (with md5, sha256, size). */
export async function writeRepodata(work: string, packages: readonly TestPackage[], subdirs: readonly string[] = ['linux-64', 'noarch']): Promise<void> {
  const repodata = new Map(
    subdirs.map((s) => [s, { info: { subdir: s }, packages: {} as Record<string, unknown>, 'packages.conda': {} as Record<string, unknown> }]),
  );
  for (const pkg of packages) {
    const subdir = pkg.subdir ?? 'noarch';
    const build = pkg.build ?? '0';
    const filename = `${pkg.name}-${pkg.version}-${build}${pkg.format ?? '.tar.bz2'}`;
    const bytes = await readFile(path.join(work, 'channel', subdir, filename));
    const entry = {
      name: pkg.name,
      version: pkg.version,
      build,
      build_number: 0,
      depends: pkg.depends ?? [],
      subdir,
      license: 'BSD-3-Clause',
      ...(subdir === 'noarch' && { noarch: pkg.noarch ?? 'generic' }),
      md5: createHash('md5').update(bytes).digest('hex'),
      sha256: createHash('sha256').update(bytes).digest('hex'),
      size: bytes.length,
    };
    const target = repodata.get(subdir);
    if (target === undefined) throw new Error(`no subdir ${subdir}`);
    (filename.endsWith('.conda') ? target['packages.conda'] : target.packages)[filename] = entry;
  }
  for (const [subdir, data] of repodata) {
    await mkdir(path.join(work, 'channel', subdir), { recursive: true });
    await writeFile(path.join(work, 'channel', subdir, 'repodata.json'), JSON.stringify(data));
  }
}

/** Serves `<work>/channel` over HTTP on 127.0.0.1 (404 for anything missing, as a channel does). */
export async function serveChannel(work: string): Promise<TestChannel> {
  const root = path.join(work, 'channel');
  const requests = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const url = decodeURIComponent((req.url ?? '/').split('?')[0] as string);
    requests.set(url, (requests.get(url) ?? 0) + 1);
    const file = path.join(root, path.normalize(url));
    if (!file.startsWith(root)) {
      res.statusCode = 400;
      res.end();
      return;
    }
    readFile(file).then(
      (bytes) => {
        res.setHeader('content-length', bytes.length);
        res.end(req.method === 'HEAD' ? undefined : bytes);
      },
      () => {
        res.statusCode = 404;
        res.end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A URL on 127.0.0.1 where nothing listens: a channel that is down. */
export async function deadChannelUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/`;
}
