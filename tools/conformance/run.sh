#!/usr/bin/env bash
# RealWorld conformance: runs the official API suites against a production-mode Conduit server.
#
#   tools/conformance/run.sh            (or: make conformance)
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
#   CONFORMANCE_URL       a server already running (e.g. make compose-check's containers): no fresh
#                         database and no server of our own; its log is the caller's to check
#   REDIS_URL             kept: the server caches in Redis under a key prefix unique to the run
#   CELERY_BROKER_URL     ignored: the server runs Celery tasks eagerly (no worker is started)
# Reports and the server log go to var/conformance/.
set -Eeuo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RUN_NAME=conformance
# shellcheck source=../fresh_server.sh
source "$HERE/../fresh_server.sh"
REALWORLD_DIR="${REALWORLD_DIR:-$ROOT/../shared/realworld}"
RUNS="${CONFORMANCE_RUNS:-2}"
BIN="$HERE/node_modules/.bin"

[[ -d "$REALWORLD_DIR/bruno" ]] || die "RealWorld collection not found in $REALWORLD_DIR (set REALWORLD_DIR)"
LEGACY="$REALWORLD_DIR/legacy-v1/Conduit.postman_collection.json"
[[ -f "$LEGACY" ]] || die "legacy collection not found: $LEGACY"
command -v node >/dev/null && command -v npm >/dev/null || die "node and npm are required"

# --- 1. the pinned npm tools ------------------------------------------------------------------
LOCK_SUM="$(sha256sum "$HERE/package-lock.json" | cut -d' ' -f1)"
STAMP="$HERE/node_modules/.conformance-lock.sha256"
if [[ ! -x "$BIN/bru" || ! -x "$BIN/newman" || "$(cat "$STAMP" 2>/dev/null)" != "$LOCK_SUM" ]]; then
  log "npm ci (tools/conformance)"
  npm ci --prefix "$HERE" --no-audit --no-fund --loglevel=error
  echo "$LOCK_SUM" >"$STAMP"
fi
log "bru $("$BIN/bru" --version 2>/dev/null), newman $("$BIN/newman" --version 2>/dev/null)"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/conduit-conformance.XXXXXX")"
CLEANUP_PATHS+=("$WORK")

if [[ -n "${CONFORMANCE_URL:-}" ]]; then
  HOST_URL="${CONFORMANCE_URL%/}"
  DB_LABEL="the server at $HOST_URL"
  : >"$SERVER_LOG"
  log "server: $HOST_URL (already running)"
else
  # --- 2. a fresh database --------------------------------------------------------------------
  fresh_server_env
  fresh_database "${CONFORMANCE_DB_NAME:-conduit_conformance}"

  # --- 3. the server ------------------------------------------------------------------------
  # Without Redis the cache is per process: two workers would miss each other's invalidations.
  server_start "${CONFORMANCE_PORT:-0}" "$([[ -n "${REDIS_URL:-}" ]] && echo 2 || echo 1)"
fi

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
check_server_log '" 5[0-9]{2}( |$)|Internal Server Error'
finish CONFORMANCE "RealWorld conformance summary" "$((RUNS)) runs" "responses with a 5xx status"
