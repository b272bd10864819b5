#!/usr/bin/env bash
# Runs the gate on the bundled examples on a fresh Debian/Ubuntu machine: a healthy Alembic project
# (passes) and a broken copy (fails with a downgrade residue and two heads). PostgreSQL comes from the
# local binaries or the embedded npm package; no Docker needed.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/apt-deps.sh || exit 2
npm ci --no-audit --no-fund --loglevel=error || exit 2
echo; echo "== examples/alembic-app (healthy) =="
node dist/cli.js check examples/alembic-app; healthy=$?
echo; echo "== examples/alembic-app-broken =="
node dist/cli.js check examples/alembic-app-broken; broken=$?
echo
echo "verdicts: alembic-app exit $healthy (0 = pass), alembic-app-broken exit $broken (1 = findings)"
[ "$healthy" -eq 0 ] && [ "$broken" -eq 1 ]
