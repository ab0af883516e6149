#!/usr/bin/env bash
# How to serve Django under uvicorn? Serves the same app three ways under the same uvicorn settings
# and loads each with wrk, so the choice (config.asgi: stored responses answered on the event loop,
# the rest through a2wsgi's threads) rests on a measurement of our own app.
# Usage: tools/bench/serving.sh [duration, default 10s]. Writes docs/serving.md.
# Needs Redis (SERVING_REDIS_URL, default redis://127.0.0.1:6379/12: flushed first), as production.
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${1:-10s}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }

db=$PWD/var/bench-serving.sqlite3
rm -f "$db"*
export DATABASE_URL=sqlite:///$db DJANGO_DEBUG=false DJANGO_ALLOWED_HOSTS=127.0.0.1 DJANGO_SECURE_SSL_REDIRECT=false
export DJANGO_SECRET_KEY=bench-$(python3 -c 'import secrets; print(secrets.token_hex(32))')
export DJANGO_LOG_LEVEL=WARNING THROTTLE_RATE_ANON=1000000/m
export REDIS_URL=${SERVING_REDIS_URL:-redis://127.0.0.1:6379/12}
manage() { (cd backend && ../.venv/bin/python manage.py "$@"); }
manage migrate --noinput -v0
manage seed --users 50 --articles 200 >/dev/null
.venv/bin/python -c 'import redis, sys; redis.Redis.from_url(sys.argv[1]).flushdb()' "$REDIS_URL"

port=8765
url="http://127.0.0.1:$port/api/v1/articles?limit=20"
results=()
# name | uvicorn app and interface | working directory (PYTHONPATH for the project's modules)
servers=(
  "front|config.asgi:application --interface asgi3"
  "wsgi|config.wsgi:application --interface wsgi"
  "django-asgi|tools.bench.django_asgi:application --interface asgi3"
)
for server_spec in "${servers[@]}"; do
  name=${server_spec%%|*}
  read -r -a app <<<"${server_spec#*|}"
  (cd backend && PYTHONPATH=.. exec ../.venv/bin/uvicorn "${app[@]}" --http httptools --loop uvloop --no-proxy-headers \
     --no-access-log --workers 2 --host 127.0.0.1 --port $port --log-level warning) &
  server=$!
  for _ in $(seq 50); do curl -sf -o /dev/null "$url" && break; sleep 0.2; done
  wrk -t2 -c32 -d2s "$url" >/dev/null  # warm up both workers (and store the page)
  for connections in 16 32; do
    out=$(wrk -t2 -c$connections -d"$duration" --latency "$url")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    errors=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out")
    results+=("| $name (\`${app[0]}\`) | $connections | $rps | $p50 | $p99 | ${errors:-none} |")
    echo "$name c$connections: $rps req/s, p50 $p50, p99 $p99 ${errors}"
  done
  kill "$server"; wait "$server" 2>/dev/null || true
done

cat > docs/serving.md <<MD
# Serving: Django under uvicorn, stored responses on the event loop

Django's views are sync (the ORM gains nothing from async views), so uvicorn can run the project in
three ways: Django's WSGI application through a2wsgi, which hands every request to one of its
threads (\`config.wsgi\`, \`--interface wsgi\`); Django's own ASGI handler, which does the same
through asgiref with more machinery (\`tools/bench/django_asgi.py\`); or \`config.asgi\`, a small ASGI
application (\`StoredResponsesFront\`, apps.caching.front) that answers current stored responses
(docs/caching.md) on the event loop, with no thread hand-off, and hands every other request to the
WSGI application through a2wsgi's threads (\`WSGI_THREADS\`, 10 per process). Measured on this
project's own endpoint, a hot anonymous list whose page is stored:

| server | connections | requests/s | p50 | p99 | errors |
| --- | ---: | ---: | ---: | ---: | --- |
$(printf '%s\n' "${results[@]}")

\`GET /api/v1/articles?limit=20\`, anonymous, 200 seeded articles on SQLite with the cache in Redis,
uvicorn 2 workers with httptools and uvloop, \`wrk -t2 -c16|32 -d$duration\` on the same 2-core
machine (wrk, Redis and the servers share the cores), run on $(date -u +%Y-%m-%d) at $(date -u +%H:%M) UTC.

So the project serves \`config.asgi:application\` (\`make run\`, the image, the cluster, the e2e
tests), and \`config.wsgi:application\` stays the entry point for any WSGI server. A request that
Django computes costs the same either way (one hand-off to a thread); one answered from a stored
response skips the hand-off, its queue and the thread switches under the GIL. The lookup blocks the
event loop for one Redis round trip: shorter than the hand-off it replaces; a miss is marked as
looked up, so the thread does not look again. Reproduce with:

\`\`\`sh
make bench-serving   # tools/bench/serving.sh 10s
\`\`\`

The full benchmark (docs/benchmarks.md) serves the same \`config.asgi\` on the 1,000,000-article set.
MD
echo "wrote docs/serving.md"
