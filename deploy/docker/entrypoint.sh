#!/bin/sh
# The API image's entrypoint (Dockerfile): runs the command it is given (uvicorn by default, or
# `python manage.py ...`, `celery -A config ...`) as PID 1, so that SIGTERM reaches it directly.
#
# prometheus_client's multiprocess files are per container and must start empty: samples left
# by the processes of a previous start would be counted again.
set -eu
if [ -n "${PROMETHEUS_MULTIPROC_DIR:-}" ]; then
  mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
  find "$PROMETHEUS_MULTIPROC_DIR" -mindepth 1 -maxdepth 1 -name '*.db' -delete
fi
exec "$@"
