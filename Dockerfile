# syntax=docker/dockerfile:1
# Conduit's images (docs/deploy.md). Two targets:
#
#   docker build -t conduit-api .                                   the API, worker, beat and relay
#   docker build -t conduit-web --target web --build-arg VITE_API_URL=/api/v1 .
#                                  nginx with the SPA's dist/ (and, in compose.yaml, the balancer)
#
# The API image has no compiler and no package manager cache, runs as an unprivileged user, and
# holds its static files (admin, Swagger UI) collected at build time.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG NODE_IMAGE=node:20-bookworm-slim
ARG NGINX_IMAGE=nginx:1.27-alpine

# ---- 1. builder: the virtualenv with every runtime dependency (wheels; no compiler needed) -------
FROM ${PYTHON_IMAGE} AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
# Only the project's metadata first: the dependency layer is rebuilt when pyproject.toml changes,
# not on every code change. The project itself packages nothing (its code is run from backend/).
COPY pyproject.toml README.md ./
# pip and setuptools leave with the install: the runtime installs nothing (22 MB less in the image);
# so do the translations' sources (.po, 12 MB): gettext reads the compiled .mo files.
RUN pip install --prefer-binary . \
    && pip uninstall --yes --quiet pip setuptools \
    && find /opt/venv -name '*.po' -delete

# ---- 2. the SPA's static build ------------------------------------------------------------------
FROM ${NODE_IMAGE} AS spa-build
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY openapi.yaml /src/openapi.yaml
COPY frontend/ ./
# Baked into the bundle: the API's public URL (a path when the balancer serves both, as in compose.yaml).
ARG VITE_API_URL=/api/v1
RUN VITE_API_URL="${VITE_API_URL}" npm run build

# ---- 3. web: nginx with the SPA's dist/ and the balancer configuration of compose.yaml ------------
FROM ${NGINX_IMAGE} AS web
COPY --from=spa-build /src/frontend/dist /usr/share/nginx/html
COPY deploy/docker/nginx.conf /etc/nginx/nginx.conf
COPY deploy/spa-headers.conf /etc/nginx/spa-headers.conf
EXPOSE 8080 8081
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/"]

# ---- 4. api, the default target: uvicorn, or any manage.py / celery command ----------------------
FROM ${PYTHON_IMAGE} AS api
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    # Settings come from the environment only, never from a .env baked into an image.
    DJANGO_READ_DOT_ENV=false \
    DJANGO_DEBUG=false \
    # uvicorn reads UVICORN_<OPTION> for each command-line option: override any of them at run time.
    UVICORN_HOST=0.0.0.0 \
    UVICORN_PORT=8000 \
    UVICORN_WORKERS=2 \
    # After SIGTERM, in-flight requests get this long to finish; keep it under the orchestrator's
    # grace period (compose stop_grace_period, Kubernetes terminationGracePeriodSeconds).
    UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN=20 \
    # Several worker processes write their Prometheus samples here (/metrics sums them).
    PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus
RUN groupadd --system --gid 10001 conduit \
    && useradd --system --uid 10001 --gid conduit --home-dir /app --no-create-home --shell /usr/sbin/nologin conduit
COPY --from=builder /opt/venv /opt/venv
COPY deploy/docker/entrypoint.sh /usr/local/bin/conduit-entrypoint
COPY backend/ /app/backend/
WORKDIR /app/backend
# Static files at build time, with a throwaway key: collectstatic reads no secret and no database.
# var/ stays writable for the one thing written at run time (Celery beat's schedule file).
RUN DJANGO_SECRET_KEY="build-only-$(python -c 'import secrets; print(secrets.token_hex(32))')" \
       env -u PROMETHEUS_MULTIPROC_DIR python manage.py collectstatic --noinput --verbosity 0 \
    && python -m compileall -q /app/backend \
    && mkdir -p /app/var /tmp/prometheus \
    && chown -R conduit:conduit /app/var /tmp/prometheus
# The code stays root's and read-only to the app.
USER 10001:10001
EXPOSE 8000
# uvicorn stops on SIGTERM: no new connections, in-flight requests finish (UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN).
STOPSIGNAL SIGTERM
# /healthz: the process serves (no I/O); readiness (/readyz) is the balancer's business.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('UVICORN_PORT', '8000'), timeout=2)"]
ENTRYPOINT ["conduit-entrypoint"]
# --no-proxy-headers: the client address is the TCP peer, or the hop NUM_PROXIES names (docs/deploy.md);
# uvicorn itself believes no X-Forwarded-* header. Keep it when overriding the command.
CMD ["uvicorn", "config.asgi:application", "--interface", "asgi3", "--http", "httptools", "--loop", "uvloop", "--no-proxy-headers", "--no-access-log"]
