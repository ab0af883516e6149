# A production-mode Conduit server on a fresh database, for the suites that drive the real HTTP
# stack from outside (tools/conformance/run.sh, tools/fuzz/run.sh). Sourced, not run.
#
# The caller sets RUN_NAME (conformance, fuzz...) and sources this file, which gives it:
#   ROOT PY UVICORN START       the repository, the virtualenv's python and uvicorn (checked), the start time
#   OUT                         var/<RUN_NAME>/, emptied: reports and the server log go there
#   log MESSAGE / die MESSAGE   "[<RUN_NAME>] ..." on stdout / on stderr, then exit 1
#   FAILED SUMMARY              0 and (): the caller sets FAILED=1 and appends one line per result
#   CLEANUP_PATHS               (): what the EXIT trap removes after stopping the server
# and an EXIT trap (server_stop, then CLEANUP_PATHS; INT and TERM exit 130 and 143). Then:
#   fresh_server_env            production settings, isolated from a developer's .env
#   fresh_database PG_NAME      DATABASE_URL: var/<RUN_NAME>.sqlite3, or on PostgreSQL the database
#                               PG_NAME (dropped and re-created) of DATABASE_URL's server; migrated
#   server_start PORT WORKERS   uvicorn on 127.0.0.1:PORT (0: a free port), waits until it answers;
#                               sets HOST_URL, SERVER_PID, SERVER_LOG
#   server_stop                 SIGTERM, then SIGKILL after 10 s (run by the EXIT trap)
#   check_server_log PATTERN    SERVER_ERRORS: the server log's lines matching PATTERN (5xx...); any: FAILED=1
#   finish VERDICT TITLE DETAIL WHAT
#                               the summary: "TITLE (database, DETAIL, duration)", the SUMMARY lines,
#                               "server log: <SERVER_ERRORS> WHAT", "VERDICT PASSED"; or exits 1 if FAILED

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="$ROOT/.venv/bin/python"
UVICORN="$ROOT/.venv/bin/uvicorn"
OUT="$ROOT/var/$RUN_NAME"
START=$(date +%s)
FAILED=0
declare -a SUMMARY=() CLEANUP_PATHS=()

log() { printf '[%s] %s\n' "$RUN_NAME" "$*"; }
die() { printf '[%s] ERROR: %s\n' "$RUN_NAME" "$*" >&2; exit 1; }

[[ -x "$PY" && -x "$UVICORN" ]] || die "no virtualenv at $ROOT/.venv: run 'make install' first"

rm -rf "$OUT"
mkdir -p "$OUT"
SERVER_PID=""
SERVER_LOG="$OUT/server.log"
SERVER_ERRORS=0

fresh_server_cleanup() {
  local rc=$?
  server_stop
  if ((${#CLEANUP_PATHS[@]})); then rm -rf "${CLEANUP_PATHS[@]}"; fi
  exit "$rc"
}
trap fresh_server_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fresh_server_env() {
  export DJANGO_READ_DOT_ENV=false
  export DJANGO_DEBUG=false
  DJANGO_SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(45))')"  # 60 chars
  export DJANGO_SECRET_KEY
  export DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
  export DJANGO_SECURE_SSL_REDIRECT=false
  # REDIS_URL is kept: keys unique to this run isolate it.
  export DJANGO_CACHE_KEY_PREFIX="$RUN_NAME-$$-$START"
  unset JWT_SIGNING_KEY
  # Celery tasks run eagerly in the API process: no worker is started here, and one on a shared
  # broker could take other stacks' tasks.
  unset CELERY_BROKER_URL
  # Replicas are copies of DATABASE_URL's database, not of the fresh one.
  unset DATABASE_REPLICA_URL
}

fresh_database() {
  local pg_name=$1 source_url="${DATABASE_URL:-}"
  if [[ "$source_url" =~ ^(postgres|postgresql|pgsql|psql)(\+[a-z]+)?:// ]]; then
    DATABASE_URL="$(SOURCE_URL="$source_url" DB_NAME="$pg_name" "$PY" - <<'PYEOF'
import os
import urllib.parse

import psycopg
from psycopg import sql

src = urllib.parse.urlsplit(os.environ["SOURCE_URL"])
name = os.environ["DB_NAME"]
if src.path.lstrip("/") == name:
    raise SystemExit(f"{name} is the database of DATABASE_URL: refusing to drop it")
params = {
    "host": urllib.parse.unquote(src.hostname or "") or None,
    "port": src.port,
    "user": urllib.parse.unquote(src.username or "") or None,
    "password": urllib.parse.unquote(src.password or "") or None,
}
params = {k: v for k, v in params.items() if v is not None}
with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
    conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
print(urllib.parse.urlunsplit(src._replace(path="/" + name)))
PYEOF
)" || die "could not (re)create PostgreSQL database $pg_name"
    DB_LABEL="PostgreSQL ($pg_name, re-created)"
  else
    [[ -z "$source_url" || "$source_url" == sqlite* ]] || die "unsupported DATABASE_URL scheme: ${source_url%%:*}"
    local db_file="$ROOT/var/$RUN_NAME.sqlite3"
    rm -f "$db_file" "$db_file-wal" "$db_file-shm" "$db_file-journal"
    DATABASE_URL="sqlite:///$db_file"
    DB_LABEL="SQLite (var/$RUN_NAME.sqlite3, new file)"
  fi
  export DATABASE_URL
  log "database: $DB_LABEL; cache: $([[ -n "${REDIS_URL:-}" ]] && echo "Redis (REDIS_URL)" || echo in-process); Celery: eager"
  (cd "$ROOT/backend" && "$PY" manage.py migrate --noinput >"$OUT/migrate.log" 2>&1) \
    || { cat "$OUT/migrate.log" >&2; die "migrate failed"; }
}

server_start() {
  local port=$1 workers=$2
  port="$("$PY" -c 'import socket, sys; s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); print(s.getsockname()[1])' \
    "$port" 2>/dev/null)" || die "port $1 on 127.0.0.1 is not free"
  HOST_URL="http://127.0.0.1:$port"
  (
    cd "$ROOT/backend"
    # The Makefile's UVICORN_OPTIONS (tests/deploy/test_files.py keeps them equal).
    exec "$UVICORN" config.asgi:application --interface asgi3 --http httptools --loop uvloop --no-proxy-headers \
      --workers "$workers" --host 127.0.0.1 --port "$port" --no-use-colors
  ) >"$SERVER_LOG" 2>&1 &
  SERVER_PID=$!
  log "server: uvicorn on $HOST_URL (pid $SERVER_PID, $workers worker(s), log ${SERVER_LOG#"$ROOT/"})"
  for _ in $(seq 120); do
    kill -0 "$SERVER_PID" 2>/dev/null || { tail -30 "$SERVER_LOG" >&2; die "the server exited"; }
    if "$PY" - "$HOST_URL/api/tags" <<'PYEOF' 2>/dev/null; then
import sys
import urllib.request

with urllib.request.urlopen(sys.argv[1], timeout=2) as r:
    sys.exit(0 if r.status == 200 else 1)
PYEOF
      return 0
    fi
    sleep 0.5
  done
  tail -30 "$SERVER_LOG" >&2
  die "the server did not answer on $HOST_URL/api/tags within 60 s"
}

server_stop() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
      pkill -KILL -P "$SERVER_PID" 2>/dev/null || true
      kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    wait "$SERVER_PID" 2>/dev/null || true
  fi
}

check_server_log() {
  local pattern=$1
  SERVER_ERRORS=$(grep -cE "$pattern" "$SERVER_LOG" || true)
  if [[ "$SERVER_ERRORS" != 0 ]]; then
    FAILED=1
    log "the server log has $SERVER_ERRORS 5xx responses or errors:"
    grep -E "$pattern" "$SERVER_LOG" | head -20 >&2
  fi
}

finish() {
  local verdict=$1 title=$2 detail=$3 what=$4
  echo
  echo "$title ($DB_LABEL, ${detail:+$detail, }$(($(date +%s) - START)) s)"
  printf '  %s\n' "${SUMMARY[@]}"
  echo "  server log: $SERVER_ERRORS $what"
  if [[ $FAILED != 0 ]]; then
    echo "$verdict FAILED (logs and reports in var/$RUN_NAME/)"
    exit 1
  fi
  echo "$verdict PASSED"
}
