#!/usr/bin/env bash
# API fuzzing: schemathesis generates requests from the committed openapi.yaml and runs them
# against a production-mode Conduit server, anonymously and then signed in.
#
#   tests/fuzz/run.sh            (or: make fuzz)
#
# 1. creates a FRESH database: var/fuzz.sqlite3 by default or, when DATABASE_URL points at
#    PostgreSQL, a dedicated database on that server (conduit_fuzz, dropped and re-created; the
#    database named in DATABASE_URL itself is never touched); then migrates it;
# 2. starts uvicorn in production mode (DEBUG off) on a free loopback port, as the conformance
#    run does (tests/conformance/run.sh);
# 3. registers a user for the signed-in pass;
# 4. runs schemathesis over every operation of openapi.yaml twice: anonymously, then with
#    `Authorization: Token <jwt>`; every phase (examples, coverage, fuzzing, stateful), a bounded
#    number of examples per operation, a fixed seed and no example database, so a run is repeatable;
#    the checks are in tests/fuzz/schemathesis.toml (docs/fuzzing.md says which and why);
# 5. fails on any check failure and on any 5xx or traceback in the server log.
#
# Environment:
#   DATABASE_URL        postgres://... to fuzz on PostgreSQL (default: SQLite under var/)
#   FUZZ_DB_NAME        the PostgreSQL database to (re)create (default: conduit_fuzz)
#   FUZZ_MAX_EXAMPLES   test cases per operation and phase (default: 50)
#   FUZZ_SEED           the seed (default: 20261125); FUZZ_SEED=random for a new one each run
#   FUZZ_PASSES         which passes (default: "anonymous authenticated")
#   FUZZ_PORT           the port to serve on (default: a free one)
#   REDIS_URL           kept: the server caches in Redis under a key prefix unique to the run
#   CELERY_BROKER_URL   ignored: the server runs Celery tasks eagerly (no worker is started)
# Reports (JUnit, schemathesis' NDJSON events) and the server log go to var/fuzz/.
set -Eeuo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PY="$ROOT/.venv/bin/python"
UVICORN="$ROOT/.venv/bin/uvicorn"
ST="$ROOT/.venv/bin/schemathesis"
OUT="$ROOT/var/fuzz"
MAX_EXAMPLES="${FUZZ_MAX_EXAMPLES:-50}"
SEED="${FUZZ_SEED:-20261125}"
PASSES="${FUZZ_PASSES:-anonymous authenticated}"
START=$(date +%s)

log() { printf '[fuzz] %s\n' "$*"; }
die() { printf '[fuzz] ERROR: %s\n' "$*" >&2; exit 1; }

[[ -x "$PY" && -x "$UVICORN" ]] || die "no virtualenv at $ROOT/.venv: run 'make install' first"
[[ -x "$ST" ]] || die "schemathesis is not installed in .venv: run 'make install' (it is a dev dependency)"

rm -rf "$OUT"
mkdir -p "$OUT"
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
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- 1. a fresh database ----------------------------------------------------------------------
# Production mode, isolated from a developer's .env; the cache keys are unique to this run.
export DJANGO_READ_DOT_ENV=false
export DJANGO_DEBUG=false
DJANGO_SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(45))')"  # 60 chars
export DJANGO_SECRET_KEY
export DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
export DJANGO_SECURE_SSL_REDIRECT=false
export DJANGO_CACHE_KEY_PREFIX="fuzz-$$-$START"
unset JWT_SIGNING_KEY
# Thousands of requests from one address and one user in a few minutes: the rate limits
# (apps.core.throttling) go far above that, or the run would measure them instead of the API.
for scope in LOGIN_FAILURES_ACCOUNT LOGIN_FAILURES_IP SIGNUPS_IP WRITES_USER; do
  export "THROTTLE_RATE_${scope}=1000000/m"
done
# Tasks run eagerly in the API process: a worker on a shared broker could take other stacks' tasks.
unset CELERY_BROKER_URL

SOURCE_URL="${DATABASE_URL:-}"
if [[ "$SOURCE_URL" =~ ^(postgres|postgresql|pgsql|psql)(\+[a-z]+)?:// ]]; then
  DB_NAME="${FUZZ_DB_NAME:-conduit_fuzz}"
  DATABASE_URL="$(SOURCE_URL="$SOURCE_URL" DB_NAME="$DB_NAME" "$PY" - <<'PYEOF'
import os
import urllib.parse

import psycopg
from psycopg import sql

src = urllib.parse.urlsplit(os.environ["SOURCE_URL"])
name = os.environ["DB_NAME"]
if src.path.lstrip("/") == name:
    raise SystemExit(f"FUZZ_DB_NAME={name} is the database of DATABASE_URL: refusing to drop it")
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
  DB_FILE="$ROOT/var/fuzz.sqlite3"
  rm -f "$DB_FILE" "$DB_FILE-wal" "$DB_FILE-shm" "$DB_FILE-journal"
  DATABASE_URL="sqlite:///$DB_FILE"
  DB_LABEL="SQLite (var/fuzz.sqlite3, new file)"
fi
export DATABASE_URL
# Replicas are the primary's copies: the fuzz database has none.
unset DATABASE_REPLICA_URL
log "database: $DB_LABEL; cache: $([[ -n "${REDIS_URL:-}" ]] && echo "Redis (REDIS_URL)" || echo in-process); Celery: eager"
(cd "$ROOT/backend" && "$PY" manage.py migrate --noinput >"$OUT/migrate.log" 2>&1) \
  || { cat "$OUT/migrate.log" >&2; die "migrate failed"; }

# --- 2. the server --------------------------------------------------------------------------
# One worker: the in-process cache is per process, and two CPU cores are shared with schemathesis.
PORT="$("$PY" -c 'import socket, sys; s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); print(s.getsockname()[1])' \
  "${FUZZ_PORT:-0}" 2>/dev/null)" || die "port ${FUZZ_PORT:-} on 127.0.0.1 is not free"
HOST_URL="http://127.0.0.1:$PORT"
(
  cd "$ROOT/backend"
  exec "$UVICORN" config.wsgi:application --interface wsgi --http httptools --loop uvloop \
    --workers 1 --host 127.0.0.1 --port "$PORT" --no-use-colors
) >"$SERVER_LOG" 2>&1 &
SERVER_PID=$!
log "server: uvicorn on $HOST_URL (pid $SERVER_PID, log var/fuzz/server.log)"

# --- 3. a signed-in user ----------------------------------------------------------------------
# Waits for the server, then registers the user whose token the second pass sends.
TOKEN="$("$PY" - "$HOST_URL" "$SERVER_PID" <<'PYEOF'
import json
import os
import sys
import time
import urllib.request

base, pid = sys.argv[1], int(sys.argv[2])
deadline = time.monotonic() + 60
while True:
    try:
        with urllib.request.urlopen(f"{base}/api/v1/tags", timeout=2) as response:
            if response.status == 200:
                break
    except OSError:
        pass
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit("the server exited")
    if time.monotonic() > deadline:
        sys.exit("the server did not answer on /api/v1/tags within 60 s")
    time.sleep(0.5)
body = {"user": {"username": "fuzzer", "email": "fuzzer@example.com", "password": "fuzzer-password-1"}}
request = urllib.request.Request(
    f"{base}/api/v1/users", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
)
with urllib.request.urlopen(request, timeout=10) as response:
    print(json.load(response)["user"]["token"])
PYEOF
)" || { tail -30 "$SERVER_LOG" >&2; die "could not start the server and register the fuzzing user"; }

# --- 4. schemathesis, anonymous then signed in ------------------------------------------------
SEED_ARGS=(--seed "$SEED")
[[ "$SEED" == random ]] && SEED_ARGS=()
FAILED=0
declare -a SUMMARY=()
for pass in $PASSES; do
  case "$pass" in
    anonymous) AUTH=() ;;
    authenticated) AUTH=(--header "Authorization: Token $TOKEN") ;;
    *) die "unknown pass '$pass' in FUZZ_PASSES (anonymous, authenticated)" ;;
  esac
  log "pass: $pass (max $MAX_EXAMPLES examples per operation and phase, seed $SEED)"
  set +e
  # From var/fuzz/: schemathesis and Hypothesis keep their scratch directories in the working directory.
  (cd "$OUT" && timeout 600 "$ST" --config-file "$HERE/schemathesis.toml" run "$ROOT/openapi.yaml" \
    --url "$HOST_URL/api/v1" "${AUTH[@]}" --max-examples "$MAX_EXAMPLES" "${SEED_ARGS[@]}" \
    --report junit,ndjson --report-dir "$OUT" \
    --report-junit-path "$OUT/$pass.junit.xml" --report-ndjson-path "$OUT/$pass.ndjson") \
    >"$OUT/$pass.log" 2>&1
  rc=$?
  set -e
  result="$(grep -E '^=+ .* in [0-9.]+s =+$' "$OUT/$pass.log" | tail -1 | sed -E 's/^=+ (.*) =+$/\1/')"
  cases="$(grep -E '^  [0-9]+ generated' "$OUT/$pass.log" | tail -1 | sed -E 's/^ +//')"
  SUMMARY+=("$(printf '%-13s %-40s %s' "$pass" "${result:-no summary (exit $rc)}" "$cases")")
  if [[ $rc != 0 ]]; then
    FAILED=1
    log "  FAILED (exit $rc): the failures, with a curl line to reproduce each:"
    sed -n '/^=* FAILURES =*$/,/^=* \(WARNINGS\|SUMMARY\) =*$/p' "$OUT/$pass.log" | head -200 >&2
    [[ -s "$OUT/$pass.log" ]] && tail -15 "$OUT/$pass.log" >&2
  fi
done

# --- 5. no 5xx, no traceback ------------------------------------------------------------------
ERRORS_5XX=$(grep -cE '" 5[0-9]{2}( |$)|Internal Server Error|Traceback' "$SERVER_LOG" || true)
if [[ "$ERRORS_5XX" != 0 ]]; then
  FAILED=1
  log "the server log has $ERRORS_5XX 5xx responses or errors:"
  grep -E '" 5[0-9]{2}( |$)|Internal Server Error|Traceback' "$SERVER_LOG" | head -20 >&2
fi

echo
echo "API fuzzing summary ($DB_LABEL, $(($(date +%s) - START)) s)"
printf '  %s\n' "${SUMMARY[@]}"
echo "  server log: $ERRORS_5XX responses with a 5xx status or tracebacks"
if [[ $FAILED != 0 ]]; then
  echo "FUZZING FAILED (logs and reports in var/fuzz/)"
  exit 1
fi
echo "FUZZING PASSED"
