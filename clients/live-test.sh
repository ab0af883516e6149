#!/usr/bin/env bash
# The SDKs' live integration tests (make sdk-test): a production-mode server on a fresh database,
# started as tools/conformance/run.sh starts it (tools/fresh_server.sh), then each SDK's tests
# against its /api/v2, then no 5xx in the server log.
#
#   clients/live-test.sh [python] [typescript]      (default: both)
#
# Environment:
#   DATABASE_URL    postgres://... to run on PostgreSQL: the database SDK_DB_NAME (default conduit_sdk)
#                   of that server is dropped and re-created; default: var/sdk.sqlite3, a new file
#   SDK_PORT        the port to serve on (default: a free one)
#   REDIS_URL       kept: the server caches in Redis under a key prefix unique to the run
# The server log and the test reports go to var/sdk/.
set -Eeuo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RUN_NAME=sdk
# shellcheck source=../tools/fresh_server.sh
source "$HERE/../tools/fresh_server.sh"
SDKS=("$@")
((${#SDKS[@]})) || SDKS=(python typescript)

fresh_server_env
fresh_database "${SDK_DB_NAME:-conduit_sdk}"
# Without Redis the cache is per process: two workers would miss each other's invalidations.
server_start "${SDK_PORT:-0}" "$([[ -n "${REDIS_URL:-}" ]] && echo 2 || echo 1)"
export CONDUIT_API_URL="$HOST_URL/api/v2"

for sdk in "${SDKS[@]}"; do
  started=$(date +%s)
  log "$sdk SDK: live tests against $CONDUIT_API_URL"
  set +e
  case "$sdk" in
    python) (cd "$HERE/python" && "$PY" -m pytest --junitxml "$OUT/python.xml") ;;
    typescript) (cd "$HERE/typescript" && npm run --silent test:live) ;;
    *) die "unknown SDK: $sdk (python or typescript)" ;;
  esac
  rc=$?
  set -e
  [[ $rc == 0 ]] || FAILED=1
  SUMMARY+=("$(printf '%-10s SDK  %s (%s s)' "$sdk" "$([[ $rc == 0 ]] && echo passed || echo "FAILED (exit $rc)")" \
    "$(($(date +%s) - started))")")
done

check_server_log '" 5[0-9]{2}( |$)|Internal Server Error'
finish SDK "SDK live tests" "" "responses with a 5xx status"
