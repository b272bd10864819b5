#!/usr/bin/env bash
# The whole suite on a fresh Debian/Ubuntu machine: system packages, npm ci, typecheck, the tests
# (real PostgreSQL, real Alembic), and the committed bundle compared with a fresh build.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/apt-deps.sh --docker
npm ci --no-audit --no-fund
npm run lint
npm run bundle
if [ -n "$(git status --porcelain -- dist)" ]; then
  echo "dist/ differs from a fresh 'npm run bundle': commit the rebuilt bundle" >&2
  git status --short -- dist >&2
  exit 1
fi
results=$(mktemp)
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$results" || status=$?
# One plain closing line for CI: "N passed, N failed, N skipped".
node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' "$results" || true
rm -f "$results"
[ "$status" -eq 0 ] || exit "$status"
