#!/usr/bin/env bash
# API fuzzing: schemathesis generates requests from the committed schema of each API version
# (openapi.yaml for v1, openapi.v2.yaml for v2) and runs them against a production-mode Conduit
# server, anonymously and then signed in.
#
#   tools/fuzz/run.sh            (or: make fuzz)
#
# 1. creates a FRESH database: var/fuzz.sqlite3 by default or, when DATABASE_URL points at
#    PostgreSQL, a dedicated database on that server (conduit_fuzz, dropped and re-created; the
#    database named in DATABASE_URL itself is never touched); then migrates it;
# 2. starts uvicorn in production mode (DEBUG off) on a free loopback port, as the conformance
#    run does (tools/conformance/run.sh);
# 3. registers a user for the signed-in pass;
# 4. for each version (v1 at /api/v1 from openapi.yaml, v2 at /api/v2 from openapi.v2.yaml), runs
#    schemathesis over every operation of its schema twice: anonymously, then with
#    `Authorization: Token <jwt>`; every phase (examples, coverage, fuzzing, stateful), a bounded
#    number of examples per operation, a fixed seed and no example database, so a run is repeatable;
#    the checks are in tools/fuzz/schemathesis.toml (docs/fuzzing.md says which and why);
# 5. plays the security review's abuse cases against the same server (tools/fuzz/abuse.py: replays,
#    nesting, oversized fields, deep offsets, stale and revoked tokens, spoofed forwarding headers);
# 6. fails on any check or abuse-case failure and on any 5xx or traceback in the server log.
#
# Environment:
#   DATABASE_URL        postgres://... to fuzz on PostgreSQL (default: SQLite under var/)
#   FUZZ_DB_NAME        the PostgreSQL database to (re)create (default: conduit_fuzz)
#   FUZZ_MAX_EXAMPLES   test cases per operation and phase (default: 50)
#   FUZZ_SEED           the seed (default: 20261125); FUZZ_SEED=random for a new one each run
#   FUZZ_PASSES         which passes (default: "anonymous authenticated")
#   FUZZ_VERSIONS       which API versions (default: "v1 v2")
#   FUZZ_PORT           the port to serve on (default: a free one)
#   REDIS_URL           kept: the server caches in Redis under a key prefix unique to the run
#   CELERY_BROKER_URL   ignored: the server runs Celery tasks eagerly (no worker is started)
# Reports (JUnit, schemathesis' NDJSON events) and the server log go to var/fuzz/.
set -Eeuo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RUN_NAME=fuzz
# shellcheck source=../fresh_server.sh
source "$HERE/../fresh_server.sh"
ST="$ROOT/.venv/bin/schemathesis"
MAX_EXAMPLES="${FUZZ_MAX_EXAMPLES:-50}"
SEED="${FUZZ_SEED:-20261125}"
PASSES="${FUZZ_PASSES:-anonymous authenticated}"
VERSIONS="${FUZZ_VERSIONS:-v1 v2}"

# The committed schema of an API version (apps.api.versions: v1's is openapi.yaml).
schema_of() {
  case "$1" in
    v1) echo "$ROOT/openapi.yaml" ;;
    v[0-9]*) echo "$ROOT/openapi.$1.yaml" ;;
    *) die "unknown version '$1' in FUZZ_VERSIONS (v1 v2)" ;;
  esac
}

[[ -x "$ST" ]] || die "schemathesis is not installed in .venv: run 'make install' (it is a dev dependency)"

# --- 1. a fresh database ----------------------------------------------------------------------
fresh_server_env
# Thousands of requests from one address and one user in a few minutes: the rate limits
# (apps.api.throttling) go far above that, or the run would measure them instead of the API.
# The (e-mail, address) login limit keeps its default: generated logins rarely repeat an e-mail
# (429 is a documented answer when they do), and the abuse cases check it holds against spoofed headers.
for scope in LOGIN_FAILURES_ACCOUNT LOGIN_FAILURES_IP SIGNUPS_IP WRITES_USER NEW_SEARCHES_CLIENT; do
  export "THROTTLE_RATE_${scope}=1000000/m"
done
unset THROTTLE_RATE_LOGIN_FAILURES_PAIR
fresh_database "${FUZZ_DB_NAME:-conduit_fuzz}"

# --- 2. the server --------------------------------------------------------------------------
# One worker: the in-process cache is per process, and two CPU cores are shared with schemathesis.
server_start "${FUZZ_PORT:-0}" 1

# --- 3. a signed-in user ----------------------------------------------------------------------
# Registers the user whose token the second pass sends.
TOKEN="$("$PY" - "$HOST_URL" <<'PYEOF'
import json
import sys
import urllib.request

base = sys.argv[1]
body = {"user": {"username": "fuzzer", "email": "fuzzer@example.com", "password": "fuzzer-password-1"}}
request = urllib.request.Request(
    f"{base}/api/v1/users", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
)
with urllib.request.urlopen(request, timeout=10) as response:
    print(json.load(response)["user"]["token"])
PYEOF
)" || { tail -30 "$SERVER_LOG" >&2; die "could not register the fuzzing user"; }

# --- 4. schemathesis, per version, anonymous then signed in ----------------------------------
SEED_ARGS=(--seed "$SEED")
[[ "$SEED" == random ]] && SEED_ARGS=()
for version in $VERSIONS; do
SCHEMA="$(schema_of "$version")"
[[ -f "$SCHEMA" ]] || die "no schema for $version: $SCHEMA (make schema)"
for pass in $PASSES; do
  run="$version-$pass"
  case "$pass" in
    anonymous) AUTH=() ;;
    # Signing out everywhere would revoke the token the rest of the pass sends.
    authenticated) AUTH=(--header "Authorization: Token $TOKEN" --exclude-operation-id users_revoke_tokens) ;;
    *) die "unknown pass '$pass' in FUZZ_PASSES (anonymous, authenticated)" ;;
  esac
  log "pass: $run (max $MAX_EXAMPLES examples per operation and phase, seed $SEED)"
  set +e
  # From var/fuzz/: schemathesis and Hypothesis keep their scratch directories in the working directory.
  (cd "$OUT" && SCHEMATHESIS_HOOKS=hooks PYTHONPATH="$HERE" timeout 600 "$ST" --config-file "$HERE/schemathesis.toml" run "$SCHEMA" \
    --url "$HOST_URL/api/$version" "${AUTH[@]}" --max-examples "$MAX_EXAMPLES" "${SEED_ARGS[@]}" \
    --report junit,ndjson --report-dir "$OUT" \
    --report-junit-path "$OUT/$run.junit.xml" --report-ndjson-path "$OUT/$run.ndjson") \
    >"$OUT/$run.log" 2>&1
  rc=$?
  set -e
  result="$(grep -E '^=+ .* in [0-9.]+s =+$' "$OUT/$run.log" | tail -1 | sed -E 's/^=+ (.*) =+$/\1/')"
  cases="$(grep -E '^  [0-9]+ generated' "$OUT/$run.log" | tail -1 | sed -E 's/^ +//')"
  SUMMARY+=("$(printf '%-17s %-40s %s' "$run" "${result:-no summary (exit $rc)}" "$cases")")
  if [[ $rc != 0 ]]; then
    FAILED=1
    log "  FAILED (exit $rc): the failures, with a curl line to reproduce each:"
    sed -n '/^=* FAILURES =*$/,/^=* \(WARNINGS\|SUMMARY\) =*$/p' "$OUT/$run.log" | head -200 >&2
    [[ -s "$OUT/$run.log" ]] && tail -15 "$OUT/$run.log" >&2
  fi
done
done

# --- 5. the security review's abuse cases (#9), beyond what the schema describes ---------------
log "abuse cases (tools/fuzz/abuse.py)"
if ! "$PY" "$HERE/abuse.py" "$HOST_URL" 2>&1 | tee "$OUT/abuse.log"; then
  FAILED=1
fi
SUMMARY+=("$(printf '%-13s %s' abuse "$(tail -n +1 "$OUT/abuse.log" | grep -m1 '^abuse cases' || echo 'no summary')")")

# --- 6. no 5xx, no traceback ------------------------------------------------------------------
check_server_log '" 5[0-9]{2}( |$)|Internal Server Error|Traceback'
finish FUZZING "API fuzzing summary" "" "responses with a 5xx status or tracebacks"
