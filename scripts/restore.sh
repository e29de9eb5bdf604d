#!/usr/bin/env bash
# Restore a Summit backup made by scripts/backup.sh into a NEW database and media folder.
#
#   scripts/restore.sh BACKUP_DIR TARGET_DATABASE [TARGET_MEDIA_DIR]
#
# PostgreSQL backups: TARGET_DATABASE is a database name on the server of DATABASE_URL (the same
# host, port and user); it is created and must not exist yet, so a restore never overwrites live
# data by accident. SQLite backups: TARGET_DATABASE is a file path that must not exist yet.
# TARGET_MEDIA_DIR (default: MEDIA_ROOT, or var/media) must be empty or absent.
# Then point DATABASE_URL (and MEDIA_ROOT) at the restored copy, run `manage.py migrate` (a
# no-op unless the code is newer than the backup) and start the app. See docs/operations.md.
set -euo pipefail
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${PYTHON:-$ROOT/.venv/bin/python}
[ -x "$PY" ] || PY=python3
backup=$1
target=$2
VAR_DIR=${SUMMIT_VAR_DIR:-$ROOT/var}
media=${3:-${MEDIA_ROOT:-$VAR_DIR/media}}
DATABASE_URL=${DATABASE_URL:-sqlite:///$VAR_DIR/summit.sqlite3}

if [ ! -f "$backup/SHA256SUMS" ]; then
  echo "restore: $backup is not a backup folder (no SHA256SUMS)" >&2
  exit 1
fi
(cd "$backup" && sha256sum --check --quiet SHA256SUMS) || {
  echo "restore: $backup is damaged: its checksums do not match" >&2
  exit 1
}
if [ -d "$media" ] && [ -n "$(ls -A "$media")" ]; then
  echo "restore: the media folder $media is not empty; choose a new one" >&2
  exit 1
fi

if [ -f "$backup/database.dump" ]; then
  case "$DATABASE_URL" in
    postgres://*|postgresql://*|pgsql://*) ;;
    *) echo "restore: a PostgreSQL backup needs DATABASE_URL=postgres://… for the server" >&2; exit 1 ;;
  esac
  if [[ ! "$target" =~ ^[A-Za-z_][A-Za-z0-9_]{0,62}$ ]]; then
    echo "restore: '$target' is not a plain database name" >&2
    exit 1
  fi
  # The same server, user and password; only the database name changes.
  read -r server_url target_url < <("$PY" - "$DATABASE_URL" "$target" <<'PY'
import sys
from urllib.parse import urlsplit, urlunsplit
parts = urlsplit(sys.argv[1].replace("pgsql://", "postgresql://", 1))
print(urlunsplit(parts._replace(path="/postgres")), urlunsplit(parts._replace(path="/" + sys.argv[2])))
PY
)
  exists=$(psql --dbname="$server_url" -tAc "SELECT 1 FROM pg_database WHERE datname = '$target'")
  if [ "$exists" = "1" ]; then
    echo "restore: the database $target already exists; restore into a new name" >&2
    exit 1
  fi
  psql --dbname="$server_url" -q -c "CREATE DATABASE \"$target\""
  if ! pg_restore --no-owner --no-privileges --exit-on-error --dbname="$target_url" \
      "$backup/database.dump"; then
    echo "restore: pg_restore failed; dropping the partial database $target" >&2
    psql --dbname="$server_url" -q -c "DROP DATABASE \"$target\""
    exit 1
  fi
  psql --dbname="$target_url" -q -c "ANALYZE"
elif [ -f "$backup/database.sqlite3" ]; then
  if [ -e "$target" ]; then
    echo "restore: $target already exists; restore into a new file" >&2
    exit 1
  fi
  mkdir -p "$(dirname "$target")"
  cp "$backup/database.sqlite3" "$target.partial"
  mv "$target.partial" "$target"
else
  echo "restore: $backup holds no database.dump or database.sqlite3" >&2
  exit 1
fi

mkdir -p "$media"
tar -C "$media" -xzf "$backup/media.tar.gz"
echo "Restored $backup into database $target and media folder $media"
