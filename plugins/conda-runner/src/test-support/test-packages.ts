import { constants } from 'node:fs';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createToolManifest, type ToolManifest } from '@bioimageit/core';
import { LEGACY_PLACEHOLDER } from '../prefix-replacement.js';
import { buildPackage, LONG_PLACEHOLDER, serveChannel, writeRepodata, type TestChannel, type TestPackage } from './conda-channel.js';

const activateScript = (version: string): string =>
  ['export BIIT_LIB_HOME="$CONDA_PREFIX/share/biit-lib"', `export BIIT_ACTIVATED="activate.d of biit-lib ${version}"`, ''].join('\n');

/** Binary file content with the placeholder inside a NUL-terminated string between two markers. */
export const binaryWith = (prefix: string): Buffer => Buffer.concat([Buffer.from('HEAD\0'), Buffer.from(`${prefix}/lib/biit\0`), Buffer.from('TAIL')]);

/**
 * The test channel's packages, real conda packages built with `cph create`:
 * - `biit-lib` 1.0.0 and 2.0.0 (noarch, legacy `info/files` + `info/has_prefix` metadata): a
 *   VERSION file, an activate.d script exporting BIIT_LIB_HOME and BIIT_ACTIVATED, a text file
 *   with the legacy placeholder and (2.0.0) a post-link script;
 * - `biit-stamp` 1.0.0 (linux-64, `info/paths.json`), depending on `biit-lib >=2`: the tool
 *   `bin/biit-stamp IN OUT` (copies a CSV and appends what its environment gave it), a config
 *   file with a text placeholder and a binary file with a binary placeholder;
 * - `biit-cfmt` 1.0.0 (noarch, `.conda` format);
 * - `python` 3.11.0 (linux-64): `bin/python`, a wrapper starting Debian's `/usr/bin/python3` with
 *   the prefix's `lib/python3.11/site-packages` on PYTHONPATH (text placeholder), standing in
 *   for a real interpreter build;
 * - `biit-pyhello` 1.0.0 (`noarch: python`): a module under `site-packages/` and an entry point
 *   `biit-pyhello = biit_pyhello.cli:main` in `info/link.json`.
 */
export const TEST_PACKAGES: readonly TestPackage[] = [
  ...['1.0.0', '2.0.0'].map((version) => ({
    name: 'biit-lib',
    version,
    legacyMetadata: true,
    files: {
      'share/biit-lib/VERSION': { content: `${version}\n` },
      'share/biit-lib/home.txt': { content: `${LEGACY_PLACEHOLDER}/share/biit-lib\n`, placeholder: { text: LEGACY_PLACEHOLDER, mode: 'text' as const } },
      'etc/conda/activate.d/biit-lib.sh': { content: activateScript(version) },
      ...(version === '2.0.0' && {
        'bin/.biit-lib-post-link.sh': { content: 'echo "post-link $PKG_NAME $PKG_VERSION" > "$PREFIX/share/biit-lib/post-link.txt"\n', executable: true },
      }),
    },
  })),
  {
    name: 'biit-stamp',
    version: '1.0.0',
    subdir: 'linux-64',
    depends: ['biit-lib >=2'],
    files: {
      'bin/biit-stamp': {
        executable: true,
        content: [
          '#!/bin/sh',
          '# biit-stamp IN OUT: copies the CSV IN to OUT and appends what the environment gave the tool',
          'set -e',
          'cp "$1" "$2"',
          '{',
          '  echo "lib,$(cat "$BIIT_LIB_HOME/VERSION")"',
          '  echo "activated,$BIIT_ACTIVATED"',
          '  echo "config,$(cat "$CONDA_PREFIX/etc/biit-stamp.conf")"',
          '  echo "prefix,$CONDA_PREFIX"',
          '} >> "$2"',
          '',
        ].join('\n'),
      },
      'etc/biit-stamp.conf': { content: `${LONG_PLACEHOLDER}/share/biit-stamp`, placeholder: { text: LONG_PLACEHOLDER, mode: 'text' } },
      'lib/biit-stamp.dat': { content: binaryWith(LONG_PLACEHOLDER), placeholder: { text: LONG_PLACEHOLDER, mode: 'binary' } },
    },
  },
  { name: 'biit-cfmt', version: '1.0.0', format: '.conda', files: { 'share/biit-cfmt/hello.txt': { content: 'from a .conda archive\n' } } },
  {
    name: 'python',
    version: '3.11.0',
    subdir: 'linux-64',
    files: {
      'bin/python': {
        executable: true,
        content: `#!/bin/sh\nPYTHONPATH="${LEGACY_PLACEHOLDER}/lib/python3.11/site-packages" exec /usr/bin/python3 "$@"\n`,
        placeholder: { text: LEGACY_PLACEHOLDER, mode: 'text' },
      },
    },
  },
  {
    name: 'biit-pyhello',
    version: '1.0.0',
    noarch: 'python',
    depends: ['python >=3.11'],
    files: {
      'site-packages/biit_pyhello/__init__.py': { content: '' },
      'site-packages/biit_pyhello/cli.py': { content: 'import sys\n\ndef main():\n    print("hello from", __file__, "as", sys.argv[0])\n    return 0\n' },
    },
    info: { 'link.json': JSON.stringify({ noarch: { type: 'python', entry_points: ['biit-pyhello = biit_pyhello.cli:main'] }, package_metadata_version: 1 }) },
  },
];

/** A served test channel with its working folder. */
export interface ChannelFixture {
  readonly work: string;
  readonly channel: TestChannel;
  cleanup(): Promise<void>;
}

/** Builds {@link TEST_PACKAGES} and serves them as a channel on 127.0.0.1. */
export async function testChannel(): Promise<ChannelFixture> {
  const work = await mkdtemp(path.join(tmpdir(), 'bioimageit-conda-channel-'));
  for (const pkg of TEST_PACKAGES) await buildPackage(work, pkg);
  await writeRepodata(work, TEST_PACKAGES);
  const channel = await serveChannel(work);
  return {
    work,
    channel,
    async cleanup() {
      await channel.close();
      await rm(work, { recursive: true, force: true });
    },
  };
}

/** The JSON body of a native tool running `biit-stamp IN OUT` in a conda environment of `packages` from `channel`. */
export function stampToolBody(channel: string, packages: readonly string[] = ['biit-stamp'], id = 'test.stamp'): Record<string, unknown> {
  return {
    id,
    name: 'Stamp',
    version: '1.0.0',
    description: 'copies a CSV and appends what its conda environment gave it',
    inputs: [{ name: 'i', type: 'data', format: 'tablecsv' }],
    outputs: [{ name: 'o', format: 'tablecsv', extension: 'csv' }],
    command: { argv: ['biit-stamp', '{inputs.i}', '{outputs.o}'] },
    requirements: { conda: { packages, channels: [channel] } },
  };
}

/** {@link stampToolBody} loaded as a manifest whose source is in `folder`. */
export function stampTool(folder: string, channel: string, packages: readonly string[] = ['biit-stamp'], id = 'test.stamp'): ToolManifest {
  return createToolManifest(stampToolBody(channel, packages, id), path.join(folder, `${id}.tool.json`));
}

/**
 * Why the test channel cannot be built here — Debian's conda-package-handling (`cph`, which builds
 * the real packages) is not on PATH — or undefined when it can. For `skipWithout('cph', …)`.
 */
export async function cphMissing(): Promise<string | undefined> {
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    if (
      dir !== '' &&
      (await access(path.join(dir, 'cph'), constants.X_OK).then(
        () => true,
        () => false,
      ))
    )
      return undefined;
  }
  return 'cph (Debian conda-package-handling) is not on PATH';
}
