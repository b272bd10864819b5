#!/usr/bin/env bash
# Builds a small Docker image that behaves like the official postgres image, from the host's own
# PostgreSQL server binaries, for testing the docker provider where no registry can be reached.
#   usage: build-postgres-image.sh BINDIR TAG [BUILD_ID]   (DOCKER_HOST selects the engine;
#   BUILD_ID is recorded in the image's environment so a changed script is noticed and rebuilt)
# The rootfs holds the binaries, the shared libraries they load (from ldd), the share dir, a shell,
# the few tools the entrypoint uses, and an entrypoint that mimics docker-entrypoint.sh:
# POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB / POSTGRES_INITDB_ARGS, a temporary server for
# initialisation and then the real one (each prints "database system is ready to accept
# connections", so the ready line appears twice on a fresh start, as with the official image), and
# `postgres -c key=value ...` as the command.
set -euo pipefail

BINDIR=${1:?usage: build-postgres-image.sh BINDIR TAG}
TAG=${2:?usage: build-postgres-image.sh BINDIR TAG}
BUILD_ID=${3:-unversioned}
SHAREDIR=$("$BINDIR/pg_config" --sharedir)
PKGLIBDIR=$("$BINDIR/pg_config" --pkglibdir)

ROOTFS=$(mktemp -d "${TMPDIR:-/tmp}/mg-pg-rootfs-XXXXXX")
trap 'rm -rf "$ROOTFS"' EXIT

# The usr-merged layout of the host, so library paths from ldd resolve the same way inside.
mkdir -p "$ROOTFS"/usr/{bin,sbin,lib,lib64} "$ROOTFS"/{etc,tmp,var/run/postgresql,var/lib/postgresql}
for d in bin sbin lib lib64; do ln -s "usr/$d" "$ROOTFS/$d"; done
chmod 1777 "$ROOTFS/tmp"

# Copies a file to the same path inside the rootfs (its directory resolved, its name kept: sonames
# are often symlinks, and the loader looks them up by the name ldd printed).
put() {
  local src=$1 dest
  dest="$ROOTFS$(realpath "$(dirname "$src")")/$(basename "$src")"
  [ -e "$dest" ] && return 0
  mkdir -p "$(dirname "$dest")"
  cp -L "$src" "$dest"
}

ELFS=()
for b in postgres initdb pg_ctl psql; do
  put "$BINDIR/$b"
  ELFS+=("$BINDIR/$b")
done
# Server modules (plpgsql, snowball dictionaries, encodings); llvmjit drags in LLVM and jit is off.
for so in "$PKGLIBDIR"/*.so; do
  case $(basename "$so") in llvmjit*|sepgsql*) continue ;; esac
  put "$so"
  ELFS+=("$so")
done
for tool in dash setpriv id mkdir chown chmod rm; do
  path=$(command -v "$tool")
  put "$path"
  ELFS+=("$path")
done
ln -s dash "$ROOTFS/usr/bin/sh"

# Shared libraries, and the dynamic loader itself (ldd prints it without "=>").
ldd "${ELFS[@]}" 2>/dev/null | awk '/=> \// { print $3 } /^\t\/[^ ]+ \(/ { print $1 }' | sort -u | while read -r lib; do
  put "$lib"
done

mkdir -p "$ROOTFS$SHAREDIR"
cp -a "$SHAREDIR/." "$ROOTFS$SHAREDIR/"
# As the official image does: servers listen on every interface, or a published port reaches nothing.
sed -ri "s!^#?(listen_addresses)\s*=\s*\S+.*!\1 = '*'!" "$ROOTFS$SHAREDIR/postgresql.conf.sample"
grep -q "^listen_addresses = '\*'" "$ROOTFS$SHAREDIR/postgresql.conf.sample"
# Debian's PostgreSQL uses the system time zone data.
if [ -d /usr/share/zoneinfo ]; then
  mkdir -p "$ROOTFS/usr/share/zoneinfo"
  cp -a /usr/share/zoneinfo/. "$ROOTFS/usr/share/zoneinfo/"
fi

# The official image's postgres user is uid/gid 999.
printf 'root:x:0:0:root:/root:/bin/sh\npostgres:x:999:999:PostgreSQL:/var/lib/postgresql:/bin/sh\n' > "$ROOTFS/etc/passwd"
printf 'root:x:0:\npostgres:x:999:\n' > "$ROOTFS/etc/group"
chmod 3777 "$ROOTFS/var/run/postgresql"

cat > "$ROOTFS/usr/bin/docker-entrypoint.sh" <<'ENTRYPOINT'
#!/bin/sh
# A stand-in for the official image's docker-entrypoint.sh (see build-postgres-image.sh).
set -eu
# `docker run IMAGE -c key=value` means `postgres -c key=value`, as in the official image.
if [ "${1#-}" != "$1" ]; then set -- postgres "$@"; fi

if [ "$1" = postgres ] && [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown -R postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --clear-groups "$0" "$@"
fi

if [ "$1" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ]; then
    echo 'Error: Database is uninitialized and superuser password is not specified.' >&2
    echo '       You must specify POSTGRES_PASSWORD to a non-empty value for the superuser.' >&2
    exit 1
  fi
  user=${POSTGRES_USER:-postgres}
  db=${POSTGRES_DB:-$user}
  pwfile=/tmp/pwfile.$$
  printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
  # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of words, as in the official image
  initdb --username="$user" --pwfile="$pwfile" -D "$PGDATA" ${POSTGRES_INITDB_ARGS:---encoding=UTF8 --no-locale}
  rm -f "$pwfile"
  # Local connections trust (initdb's default); everything else needs the password, as in the official image.
  printf '\nhost all all all scram-sha-256\n' >> "$PGDATA/pg_hba.conf"

  # The temporary server: no TCP, so nothing connects before initialisation is over.
  pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w start
  if [ "$db" != postgres ]; then
    # psql interpolates :"db" (quoted as an identifier) only in input it reads, not in -c.
    echo 'CREATE DATABASE :"db" ;' | psql -v ON_ERROR_STOP=1 --username "$user" --no-password --dbname postgres --set db="$db"
  fi
  pg_ctl -D "$PGDATA" -m fast -w stop
  echo
  echo 'PostgreSQL init process complete; ready for start up.'
  echo
fi

exec "$@"
ENTRYPOINT
chmod 755 "$ROOTFS/usr/bin/docker-entrypoint.sh"

# Root owns everything in the image, whoever builds it (the entrypoint hands the data dirs to postgres).
tar -C "$ROOTFS" --owner=0 --group=0 --numeric-owner -c . | docker import \
  --change "ENV PATH=$BINDIR:/usr/bin:/bin" \
  --change 'ENV PGDATA=/var/lib/postgresql/data' \
  --change 'VOLUME /var/lib/postgresql/data' \
  --change "ENV MIGRATION_GATE_TEST_IMAGE=$BUILD_ID" \
  --change 'ENTRYPOINT ["docker-entrypoint.sh"]' \
  --change 'CMD ["postgres"]' \
  --change 'EXPOSE 5432' \
  - "$TAG" >/dev/null
echo "built $TAG from $BINDIR"
