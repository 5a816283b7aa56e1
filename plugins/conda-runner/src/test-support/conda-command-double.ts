import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * TEST DOUBLE, not a conda implementation: a small `sh` script standing in for a conda-compatible
 * command where none is installed, so that the runner's command path (argv it builds, lock read
 * from `conda-meta`, error handling, cleanup) is exercised. It answers `--version`,
 * `create --yes -p PREFIX [--override-channels] [-c URL]... SPEC...` (writes one conda-meta record
 * per spec, named by the spec's package name, and a `bin/double-tool`; becomes `sleep 30` on the
 * spec `slow-pkg`, its pid in `slow.pid`; fails like libmamba on the spec `missing-pkg`, leaving a
 * half-made prefix) and `run [--no-capture-output] -p PREFIX ARGV...` (sets CONDA_PREFIX and PATH,
 * then execs ARGV). Every call is appended to `calls.log` next to it, each argument ended by a
 * unit separator (0x1f).
 */
const SCRIPT = String.raw`#!/bin/sh
# TEST DOUBLE for conda-runner specs (see conda-command-double.ts): installs nothing real.
here=$(dirname "$0")
{ for a in "$@"; do printf '%s\037' "$a"; done; echo; } >> "$here/calls.log"
case "$1" in
  --version) echo "$DOUBLE_VERSION_TEXT"; exit 0 ;;
  create)
    shift; prefix=""; names=""
    while [ $# -gt 0 ]; do
      case "$1" in
        -p) prefix="$2"; shift 2 ;;
        -c) shift 2 ;;
        --yes|--override-channels) shift ;;
        *) names="$names $(printf '%s' "$1" | sed 's/[ =<>!].*//')"; shift ;;
      esac
    done
    mkdir -p "$prefix/conda-meta" "$prefix/bin"
    for s in $names; do
      if [ "$s" = slow-pkg ]; then
        echo "$$" > "$here/slow.pid"
        exec sleep 30
      fi
      if [ "$s" = missing-pkg ]; then
        echo "error    libmamba Could not solve for environment specs" >&2
        echo "    The following package could not be installed" >&2
        echo "    └─ missing-pkg does not exist (perhaps a typo or a missing channel)." >&2
        exit 1
      fi
      printf '{"name":"%s","version":"1.0","build":"double_0","channel":"https://conda.example/test-channel/linux-64","subdir":"linux-64","url":"https://conda.example/test-channel/linux-64/%s-1.0-double_0.tar.bz2","md5":"0123456789abcdef0123456789abcdef"}\n' "$s" "$s" > "$prefix/conda-meta/$s-1.0-double_0.json"
    done
    printf '#!/bin/sh\necho "double-tool in $CONDA_PREFIX"\n' > "$prefix/bin/double-tool"
    chmod +x "$prefix/bin/double-tool"
    exit 0 ;;
  run)
    shift
    [ "$1" = --no-capture-output ] && shift
    [ "$1" = -p ] || { echo "double: run needs -p" >&2; exit 2; }
    export CONDA_PREFIX="$2" PATH="$2/bin:$PATH"
    shift 2
    exec "$@" ;;
  env) echo '{"envs": []}'; exit 0 ;;
esac
echo "double: unsupported call $1" >&2
exit 2
`;

/** Writes the double as `<dir>/<name>` (`micromamba` or `conda`); `versionText` is what `--version` prints. */
export async function writeCondaCommandDouble(dir: string, name: string, versionText: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, name);
  await writeFile(file, SCRIPT.replace('"$DOUBLE_VERSION_TEXT"', `'${versionText.replace(/'/g, '')}'`));
  await chmod(file, 0o755);
  return file;
}

/** The calls the double received, each as its argument list. */
export async function doubleCalls(dir: string): Promise<string[][]> {
  const text = await readFile(path.join(dir, 'calls.log'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\x1f').slice(0, -1));
}
