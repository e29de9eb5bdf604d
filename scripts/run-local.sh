#!/usr/bin/env bash
# Serve Summit on 127.0.0.1:8000 with a Celery worker that runs beat inside it; Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var/mail var/log
trap 'kill 0' EXIT INT TERM
.venv/bin/celery -A config worker --beat --pool=solo --loglevel=INFO \
  --logfile=var/log/celery.log --schedule=var/celerybeat-schedule &
cat <<MSG

  Summit is running at http://127.0.0.1:8000/

  Demo logins (password for all: summit-demo)
    performance   Performance officer (Policy & Performance team)
    enterer       Data enterer
    manager       Data manager
    head          Service manager / Head of Service
    member        Management Team, Cabinet and Overview & Scrutiny member

  Emails are written to var/mail/; the Celery worker (with beat) logs to var/log/celery.log.
  Press Ctrl-C to stop.

MSG
.venv/bin/gunicorn config.wsgi --config config/gunicorn.conf.py --bind 127.0.0.1:8000 --workers 2 --timeout 120 \
  --access-logfile var/log/access.log
