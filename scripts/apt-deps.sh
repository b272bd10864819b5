#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages the gate and its tests use, when they are missing:
# PostgreSQL server binaries (the local provider), PgBouncer (mode live is proven through it),
# Alembic and friends for /usr/bin/python3, Django (the static Django graph is checked against its loader),
# pip and venv (the tests build venvs with a newer Alembic and a current Django: test/support/venv.ts), git,
# and (with --docker) a Docker engine for the testcontainers provider's tests.
set -euo pipefail
want=(postgresql pgbouncer python3 python3-alembic python3-sqlalchemy python3-psycopg2 python3-flask-migrate python3-asyncpg python3-pydantic python3-django python3-pip python3-venv git)
if [ "${1:-}" = "--docker" ]; then want+=(docker.io); fi
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "installing: ${missing[*]}"
$sudo apt-get update -qq

$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
