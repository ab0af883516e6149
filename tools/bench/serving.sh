#!/usr/bin/env bash
# WSGI or ASGI? Serves the same app both ways under the same uvicorn settings and loads each with
# wrk, so the choice in config (WSGI under uvicorn) rests on a measurement of our own app.
# Usage: tools/bench/serving.sh [duration, default 10s]. Writes docs/serving.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${1:-10s}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }

db=$PWD/var/bench-serving.sqlite3
rm -f "$db"*
export DATABASE_URL=sqlite:///$db DJANGO_DEBUG=false DJANGO_ALLOWED_HOSTS=127.0.0.1 DJANGO_SECURE_SSL_REDIRECT=false
export DJANGO_SECRET_KEY=bench-$(python3 -c 'import secrets; print(secrets.token_hex(32))')
export DJANGO_LOG_LEVEL=WARNING
manage() { (cd backend && ../.venv/bin/python manage.py "$@"); }
manage migrate --noinput -v0
manage seed --users 50 --articles 200 >/dev/null

port=8765
url="http://127.0.0.1:$port/api/v1/articles?limit=20"
results=()
for interface in wsgi asgi; do
  app=config.$interface:application
  (cd backend && exec ../.venv/bin/uvicorn "$app" --interface "$([[ $interface == asgi ]] && echo asgi3 || echo wsgi)" --http httptools --loop uvloop --no-proxy-headers \
     --workers 2 --host 127.0.0.1 --port $port --log-level warning) &
  server=$!
  for _ in $(seq 50); do curl -sf -o /dev/null "$url" && break; sleep 0.2; done
  wrk -t2 -c16 -d2s "$url" >/dev/null  # warm up both workers
  out=$(wrk -t2 -c16 -d"$duration" --latency "$url")
  kill "$server"; wait "$server" 2>/dev/null || true
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  results+=("| $interface (\`$app\`) | $rps | $p50 | $p99 |")
  echo "$interface: $rps req/s, p50 $p50, p99 $p99"
done
bytes=$(curl -s -o /dev/null -w '%{size_download}' "$url" 2>/dev/null || true)

cat > docs/serving.md <<MD
# Serving: Django's WSGI application under uvicorn

uvicorn can run Django through its ASGI handler (\`config.asgi\`) or run the WSGI application
(\`config.wsgi\`, \`--interface wsgi\`). Views are sync (the ORM gains nothing from async views), so
the ASGI path only adds a thread hop per request. Measured on this project's own endpoint:

| interface | requests/s | p50 | p99 |
| --- | --- | --- | --- |
$(printf '%s\n' "${results[@]}")

\`GET /api/v1/articles?limit=20\`, anonymous, 200 seeded articles on the embedded SQLite default,
uvicorn 2 workers with httptools and uvloop, \`wrk -t2 -c16 -d$duration\` on the same 2-core machine,
run on $(date -u +%Y-%m-%d).

So the project serves \`config.wsgi:application\` under uvicorn (\`make run\`, the cluster), and keeps
\`config.asgi\` only for this comparison. Reproduce with:

\`\`\`sh
tools/bench/serving.sh 10s
\`\`\`
MD
echo "wrote docs/serving.md"
