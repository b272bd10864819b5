#!/usr/bin/env bash
# The whole suite on a fresh Debian/Ubuntu machine: system packages, npm ci, typecheck, the tests
# (real PostgreSQL, real Alembic), and the committed bundle compared with a fresh build.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/apt-deps.sh --docker
npm ci --no-audit --no-fund
# Squawk, the peer the dangerous-operation rules are compared with (test/unit/lint-squawk.test.ts): its
# binary comes in per-platform optional packages that a lock file cannot pin for every platform (npm ci
# refuses a lock missing the others), so it is installed beside the project, without a lock. Best
# effort: where it cannot be installed the comparison test says so and skips.
npm install --no-audit --no-fund --no-save --no-package-lock --prefix .cache/squawk squawk-cli@2.66.0 >/dev/null 2>&1 ||
  echo "squawk-cli could not be installed: the Squawk comparison will be skipped" >&2
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
