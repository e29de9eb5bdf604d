#!/usr/bin/env bash
# Back up Summit: the database (pg_dump -Fc, or a consistent copy of a SQLite file) and the
# uploaded files under MEDIA_ROOT (a tar), into a new timestamped folder.
#
#   scripts/backup.sh [DEST_DIR]          default DEST_DIR: var/backups
#
# Reads DATABASE_URL and MEDIA_ROOT like the app does (defaults: sqlite var/summit.sqlite3 and
# var/media). Writes DEST_DIR/summit-YYYYmmdd-HHMMSS/ with database.dump (or database.sqlite3),
# media.tar.gz and SHA256SUMS, and prints that folder's path on the last line.
# See docs/operations.md for the schedule and for restoring.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${PYTHON:-$ROOT/.venv/bin/python}
[ -x "$PY" ] || PY=python3

VAR_DIR=${SUMMIT_VAR_DIR:-$ROOT/var}
DATABASE_URL=${DATABASE_URL:-sqlite:///$VAR_DIR/summit.sqlite3}
MEDIA_ROOT=${MEDIA_ROOT:-$VAR_DIR/media}
DEST_ROOT=${1:-$VAR_DIR/backups}

stamp=$(date -u +%Y%m%d-%H%M%S)
dest="$DEST_ROOT/summit-$stamp"
if [ -e "$dest" ]; then
  echo "backup: $dest already exists; wait a second and run again" >&2
  exit 1
fi
mkdir -p "$dest"
chmod 700 "$dest"
trap 'echo "backup: FAILED, removing the incomplete $dest" >&2; rm -rf "$dest"' ERR

case "$DATABASE_URL" in
  postgres://*|postgresql://*|pgsql://*)
    url=${DATABASE_URL/#pgsql:/postgresql:}
    # -Fc: compressed, restorable table by table with pg_restore; one consistent snapshot.
    pg_dump --format=custom --no-owner --no-privileges --dbname="$url" --file="$dest/database.dump"
    pg_restore --list "$dest/database.dump" >/dev/null  # the archive is readable
    ;;
  sqlite://*)
    file=${DATABASE_URL#sqlite://}
    while [[ $file == //* ]]; do file=${file#/}; done  # sqlite:////abs/path → /abs/path
    if [ ! -f "$file" ]; then
      echo "backup: the SQLite database $file does not exist" >&2
      exit 1
    fi
    # SQLite's online backup API copies a consistent snapshot even while the app writes.
    "$PY" - "$file" "$dest/database.sqlite3" <<'PY'
import sqlite3, sys
source = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
target = sqlite3.connect(sys.argv[2])
with target:
    source.backup(target)
assert target.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
PY
    ;;
  *)
    echo "backup: DATABASE_URL is neither postgres:// nor sqlite://" >&2
    exit 1
    ;;
esac

if [ -d "$MEDIA_ROOT" ]; then
  tar -C "$MEDIA_ROOT" -czf "$dest/media.tar.gz" .
else
  # No upload yet: an empty archive, so a restore is always the same two steps.
  tar -czf "$dest/media.tar.gz" --files-from /dev/null
fi

(cd "$dest" && sha256sum database.* media.tar.gz > SHA256SUMS)
trap - ERR
echo "$dest"
