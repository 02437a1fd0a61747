#!/bin/sh
# Start a web server: apply the migrations, then become gunicorn (exec), so that gunicorn
# gets the container's or the service manager's signals itself (TERM stops it gracefully,
# HUP reloads it). Extra arguments go to gunicorn.
#
# The database may still be starting (a fresh container): the migrations are tried
# MIGRATE_ATTEMPTS times (10), MIGRATE_DELAY seconds apart (3), before boot.sh gives up.
set -eu
cd "$(dirname "$0")/.."
export FLASK_APP="${FLASK_APP:-microblog:create_app}"

attempts="${MIGRATE_ATTEMPTS:-10}"
attempt=1
until flask db upgrade; do
  if [ "$attempt" -ge "$attempts" ]; then
    echo "boot.sh: the migrations failed $attempts times; not starting the web server" >&2
    exit 1
  fi
  echo "boot.sh: the migrations failed (attempt $attempt of $attempts); retrying" >&2
  attempt=$((attempt + 1))
  sleep "${MIGRATE_DELAY:-3}"
done

exec gunicorn -c gunicorn.conf.py "$@"
