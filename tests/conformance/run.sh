#!/usr/bin/env bash
# RealWorld conformance: runs the official API suites against a production-mode Conduit server.
#
#   tests/conformance/run.sh            (or: make conformance)
#
# 1. installs the pinned @usebruno/cli and newman (npm ci, only when package-lock.json changed);
# 2. creates a FRESH database: var/conformance.sqlite3 by default, or, when DATABASE_URL points at
#    PostgreSQL, a dedicated database on that server (conduit_conformance, dropped and re-created;
#    the database named in DATABASE_URL itself is never touched); then migrates it;
# 3. starts uvicorn in production mode (DEBUG off) on a free loopback port;
# 4. runs every folder of the Bruno collection (one `bru run` each) and the legacy Postman
#    collection with newman, then the whole thing again against the same database;
# 5. fails on any failed request or assertion, and on any 5xx in the server log.
#
# Environment:
#   DATABASE_URL          postgres://... to run on PostgreSQL (default: SQLite under var/)
#   CONFORMANCE_DB_NAME   the PostgreSQL database to (re)create (default: conduit_conformance)
#   CONFORMANCE_RUNS      how many full passes (default: 2)
#   CONFORMANCE_PORT      the port to serve on (default: a free one)
#   REALWORLD_DIR         the RealWorld contract folder (default: ../shared/realworld beside the repo)
#   REDIS_URL             kept: the server caches in Redis under a key prefix unique to the run
#   CELERY_BROKER_URL     ignored: the server runs Celery tasks eagerly (no worker is started)
# Reports and the server log go to var/conformance/.
set -Eeuo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
REALWORLD_DIR="${REALWORLD_DIR:-$ROOT/../shared/realworld}"
RUNS="${CONFORMANCE_RUNS:-2}"
PY="$ROOT/.venv/bin/python"
UVICORN="$ROOT/.venv/bin/uvicorn"
OUT="$ROOT/var/conformance"
BIN="$HERE/node_modules/.bin"
START=$(date +%s)

log() { printf '[conformance] %s\n' "$*"; }
die() { printf '[conformance] ERROR: %s\n' "$*" >&2; exit 1; }

[[ -x "$PY" && -x "$UVICORN" ]] || die "no virtualenv at $ROOT/.venv: run 'make install' first"
[[ -d "$REALWORLD_DIR/bruno" ]] || die "RealWorld collection not found in $REALWORLD_DIR (set REALWORLD_DIR)"
LEGACY="$REALWORLD_DIR/legacy-v1/Conduit.postman_collection.json"
[[ -f "$LEGACY" ]] || die "legacy collection not found: $LEGACY"
command -v node >/dev/null && command -v npm >/dev/null || die "node and npm are required"

# --- 1. the pinned npm tools ------------------------------------------------------------------
LOCK_SUM="$(sha256sum "$HERE/package-lock.json" | cut -d' ' -f1)"
STAMP="$HERE/node_modules/.conformance-lock.sha256"
if [[ ! -x "$BIN/bru" || ! -x "$BIN/newman" || "$(cat "$STAMP" 2>/dev/null)" != "$LOCK_SUM" ]]; then
  log "npm ci (tests/conformance)"
  npm ci --prefix "$HERE" --no-audit --no-fund --loglevel=error
  echo "$LOCK_SUM" >"$STAMP"
fi
log "bru $("$BIN/bru" --version 2>/dev/null), newman $("$BIN/newman" --version 2>/dev/null)"

rm -rf "$OUT"
mkdir -p "$OUT"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/conduit-conformance.XXXXXX")"
SERVER_PID=""
SERVER_LOG="$OUT/server.log"

cleanup() {
  local rc=$?
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
      pkill -KILL -P "$SERVER_PID" 2>/dev/null || true
      kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- 2. a fresh database ----------------------------------------------------------------------
# Production mode, isolated from a developer's .env; the cache keys are unique to this run.
export DJANGO_READ_DOT_ENV=false
export DJANGO_DEBUG=false
DJANGO_SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(45))')"  # 60 chars
export DJANGO_SECRET_KEY
export DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
export DJANGO_SECURE_SSL_REDIRECT=false
export DJANGO_CACHE_KEY_PREFIX="conformance-$$-$START"
unset JWT_SIGNING_KEY
# REDIS_URL is kept (a unique key prefix isolates the run). Celery tasks run eagerly in the API
# process: no worker is started here, and one on a shared broker could take other stacks' tasks.
unset CELERY_BROKER_URL

SOURCE_URL="${DATABASE_URL:-}"
if [[ "$SOURCE_URL" =~ ^(postgres|postgresql|pgsql|psql)(\+[a-z]+)?:// ]]; then
  DB_NAME="${CONFORMANCE_DB_NAME:-conduit_conformance}"
  DATABASE_URL="$(SOURCE_URL="$SOURCE_URL" DB_NAME="$DB_NAME" "$PY" - <<'PYEOF'
import os
import urllib.parse

import psycopg
from psycopg import sql

src = urllib.parse.urlsplit(os.environ["SOURCE_URL"])
name = os.environ["DB_NAME"]
if src.path.lstrip("/") == name:
    raise SystemExit(f"CONFORMANCE_DB_NAME={name} is the database of DATABASE_URL: refusing to drop it")
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
)" || die "could not (re)create PostgreSQL database $DB_NAME"
  DB_LABEL="PostgreSQL ($DB_NAME, re-created)"
else
  [[ -z "$SOURCE_URL" || "$SOURCE_URL" == sqlite* ]] || die "unsupported DATABASE_URL scheme: ${SOURCE_URL%%:*}"
  DB_FILE="$ROOT/var/conformance.sqlite3"
  rm -f "$DB_FILE" "$DB_FILE-wal" "$DB_FILE-shm" "$DB_FILE-journal"
  DATABASE_URL="sqlite:///$DB_FILE"
  DB_LABEL="SQLite (var/conformance.sqlite3, new file)"
fi
export DATABASE_URL
log "database: $DB_LABEL; cache: $([[ -n "${REDIS_URL:-}" ]] && echo "Redis (REDIS_URL)" || echo in-process); Celery: eager"
(cd "$ROOT/backend" && "$PY" manage.py migrate --noinput >"$OUT/migrate.log" 2>&1) \
  || { cat "$OUT/migrate.log" >&2; die "migrate failed"; }

# --- 3. the server --------------------------------------------------------------------------
# Without Redis the cache is per process: two workers would miss each other's invalidations.
WORKERS=1
[[ -n "${REDIS_URL:-}" ]] && WORKERS=2
PORT="$("$PY" -c 'import socket, sys; s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); print(s.getsockname()[1])' \
  "${CONFORMANCE_PORT:-0}" 2>/dev/null)" || die "port ${CONFORMANCE_PORT:-} on 127.0.0.1 is not free"
HOST_URL="http://127.0.0.1:$PORT"
(
  cd "$ROOT/backend"
  exec "$UVICORN" config.wsgi:application --interface wsgi --http httptools --loop uvloop \
    --workers "$WORKERS" --host 127.0.0.1 --port "$PORT" --no-use-colors
) >"$SERVER_LOG" 2>&1 &
SERVER_PID=$!
log "server: uvicorn on $HOST_URL (pid $SERVER_PID, log var/conformance/server.log)"
ready=""
for _ in $(seq 120); do
  kill -0 "$SERVER_PID" 2>/dev/null || { tail -30 "$SERVER_LOG" >&2; die "the server exited"; }
  if "$PY" - "$HOST_URL/api/tags" <<'PYEOF' 2>/dev/null; then
import sys
import urllib.request

with urllib.request.urlopen(sys.argv[1], timeout=2) as r:
    sys.exit(0 if r.status == 200 else 1)
PYEOF
    ready=1
    break
  fi
  sleep 0.5
done
[[ -n "$ready" ]] || { tail -30 "$SERVER_LOG" >&2; die "the server did not answer on $HOST_URL/api/tags within 60 s"; }

# --- 4. the suites, twice -------------------------------------------------------------------
COLLECTION="$WORK/bruno"
cp -R "$REALWORLD_DIR/bruno" "$COLLECTION"  # bru runs from the collection root; /work/shared is read-only
chmod -R u+w "$COLLECTION"
mapfile -t FOLDERS < <(cd "$COLLECTION" && find . -mindepth 1 -maxdepth 1 -type d ! -name environments -printf '%f\n' | sort)
BRU_EXPECTED=0
for folder in "${FOLDERS[@]}"; do
  n=$(find "$COLLECTION/$folder" -maxdepth 1 -name '*.bru' ! -name folder.bru | wc -l)
  BRU_EXPECTED=$((BRU_EXPECTED + n))
done
LEGACY_EXPECTED="$(node -e '
  const c = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const n = (items) => items.reduce((s, i) => s + (i.item ? n(i.item) : 1), 0);
  console.log(n(c.item));' "$LEGACY")"
log "Bruno: ${#FOLDERS[@]} folders, $BRU_EXPECTED requests; legacy Postman: $LEGACY_EXPECTED requests"

FAILED=0
declare -a SUMMARY=()
field() { sed -n "s/.*\\b$1=\\([0-9]*\\).*/\\1/p" <<<"$2"; }

for run in $(seq "$RUNS"); do
  RUN_DIR="$OUT/run$run"
  mkdir -p "$RUN_DIR"
  log "run $run/$RUNS: Bruno"
  reports=()
  for folder in "${FOLDERS[@]}"; do
    report="$RUN_DIR/bruno-$folder.json"
    reports+=("$report")
    set +e
    (cd "$COLLECTION" && timeout 300 "$BIN/bru" run "$folder" --env local --env-var "host=$HOST_URL" \
      --sandbox safe --reporter-json "$report") >"$RUN_DIR/bruno-$folder.log" 2>&1
    rc=$?
    set -e
    printf '[conformance]   %-22s %s\n' "$folder" "$([[ $rc == 0 ]] && echo ok || echo "FAILED (exit $rc, see var/conformance/run$run/bruno-$folder.log)")"
    [[ $rc == 0 ]] || FAILED=1
  done
  set +e
  bru_line="$(node "$HERE/summarize.mjs" bruno "$BRU_EXPECTED" "${reports[@]}")" || FAILED=1
  set -e

  log "run $run/$RUNS: legacy Postman collection (newman)"
  user="u$(date +%s)r${run}x$RANDOM"
  set +e
  timeout 300 "$BIN/newman" run "$LEGACY" --color off --timeout-request 30000 \
    --global-var "APIURL=$HOST_URL/api/v1" --global-var "USERNAME=$user" \
    --global-var "EMAIL=$user@mail.com" --global-var "PASSWORD=password" \
    --reporters cli,json --reporter-json-export "$RUN_DIR/newman.json" >"$RUN_DIR/newman.log" 2>&1
  rc=$?
  [[ $rc == 0 ]] || { FAILED=1; log "  newman FAILED (exit $rc, see var/conformance/run$run/newman.log)"; }
  newman_line="$(node "$HERE/summarize.mjs" newman "$LEGACY_EXPECTED" "$RUN_DIR/newman.json")" || FAILED=1
  set -e

  for suite in bruno newman; do
    line="$([[ $suite == bruno ]] && echo "$bru_line" || echo "$newman_line")"
    name="$([[ $suite == bruno ]] && echo "Bruno (current)" || echo "Postman (legacy)")"
    SUMMARY+=("$(printf 'run %s  %-17s requests %3s passed %2s failed   assertions %3s passed %2s failed' \
      "$run" "$name" "$(field requests_passed "$line")" "$(field requests_failed "$line")" \
      "$(field assertions_passed "$line")" "$(field assertions_failed "$line")")")
  done
done

# --- 5. no 5xx --------------------------------------------------------------------------------
ERRORS_5XX=$(grep -cE '" 5[0-9]{2}( |$)|Internal Server Error' "$SERVER_LOG" || true)
if [[ "$ERRORS_5XX" != 0 ]]; then
  FAILED=1
  log "the server log has $ERRORS_5XX 5xx responses or errors:"
  grep -E '" 5[0-9]{2}( |$)|Internal Server Error' "$SERVER_LOG" | head -20 >&2
fi

echo
echo "RealWorld conformance summary ($DB_LABEL, $((RUNS)) runs, $(($(date +%s) - START)) s)"
printf '  %s\n' "${SUMMARY[@]}"
echo "  server log: $ERRORS_5XX responses with a 5xx status"
if [[ $FAILED != 0 ]]; then
  echo "CONFORMANCE FAILED (reports in var/conformance/)"
  exit 1
fi
echo "CONFORMANCE PASSED"
