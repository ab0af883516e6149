#!/usr/bin/env bash
# make images: Conduit's images built with podman from Debian's packages, no registry needed.
#
#   deploy/containers/images.sh            base images (when missing), then conduit-api and conduit-web
#
# 1. Base images, built once per machine and kept (podman's storage, and the root file system's
#    tarball under $CONDUIT_IMAGE_CACHE, default /var/cache/conduit-images):
#      localhost/debian-base:bookworm   debootstrap --variant=minbase + python3 (3.11), podman import
#      localhost/node-base:bookworm     the base + the machine's node and npm (Containerfile.node)
#      localhost/nginx-base:bookworm    the base + Debian's nginx (Containerfile.nginx)
#    They stand in for python:3.11-slim-bookworm, node:20-bookworm-slim and nginx:1.27-alpine, which
#    cannot be pulled here: they go in through the Dockerfile's PYTHON_IMAGE, NODE_IMAGE and
#    NGINX_IMAGE build arguments, whose defaults stay the public images.
# 2. The project's images from the Dockerfile: localhost/conduit-api:latest (target api) and
#    localhost/conduit-web:latest (target web, the SPA for VITE_API_URL=/api/v1). podman's layer
#    cache makes a rebuild without changes take seconds.
# 3. Each image's size, printed and written to var/containers/image-sizes.txt.
set -Eeuo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/deploy/containers"
export CONTAINERS_CONF="$HERE/containers.conf"
CACHE="${CONDUIT_IMAGE_CACHE:-/var/cache/conduit-images}"
# The mirror apt uses on this machine (debootstrap needs one; deb.debian.org when none is found).
MIRROR="${DEBIAN_MIRROR:-$(sed -n 's|^URIs: *\(http[^ ]*/debian\)$|\1|p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)}"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"
BASE_PACKAGES=python3,python3-venv,python-is-python3
# The machine's trust store: its egress to PyPI and npm may pass a TLS proxy with its own certificate
# authority, which pip (certifi) and node know only from here.
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
# The cached tarball is named after what is in it: a new package list, CA bundle or version of
# debian_base() below (BASE_RECIPE) makes a new one.
BASE_RECIPE=2
BASE_TARBALL="$CACHE/debian-bookworm-minbase-$(cat <(echo "$BASE_RECIPE $BASE_PACKAGES") "$CA_BUNDLE" | sha256sum | cut -c1-8).tar"

DEBIAN_BASE=localhost/debian-base:bookworm
NODE_BASE=localhost/node-base:bookworm
NGINX_BASE=localhost/nginx-base:bookworm
API_IMAGE="${CONDUIT_API_IMAGE:-localhost/conduit-api:latest}"
WEB_IMAGE="${CONDUIT_WEB_IMAGE:-localhost/conduit-web:latest}"

log() { printf '[images] %s\n' "$*"; }
# --format docker: the OCI format has no HEALTHCHECK, and the images keep theirs.
build() { podman build --runtime runc --network host --format docker --quiet "$@" >/dev/null; }
timed() {
  local what=$1 started=$SECONDS
  shift
  "$@"
  log "$what: $((SECONDS - started)) s"
}

debian_base() {
  if [[ ! -f "$BASE_TARBALL" ]]; then
    local rootfs
    rootfs="$(mktemp -d /tmp/conduit-rootfs.XXXXXX)"
    log "debootstrap bookworm (minbase + $BASE_PACKAGES) from $MIRROR"
    debootstrap --variant=minbase --include="$BASE_PACKAGES" bookworm "$rootfs" "$MIRROR" >"$rootfs.log" 2>&1 \
      || { tail -20 "$rootfs.log" >&2; exit 1; }
    # What an image does not need: downloaded packages, package lists, documentation, translations.
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/locale/* \
      "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/*
    install -D -m 0644 "$CA_BUNDLE" "$rootfs$CA_BUNDLE"
    mkdir -p "$CACHE"
    tar -C "$rootfs" -c . >"$BASE_TARBALL.tmp" && mv "$BASE_TARBALL.tmp" "$BASE_TARBALL"
    rm -rf "$rootfs" "$rootfs.log"
  fi
  podman import --quiet --change 'CMD ["/bin/bash"]' \
    --change "ENV SSL_CERT_FILE=$CA_BUNDLE" --change "ENV PIP_CERT=$CA_BUNDLE" \
    --change "ENV NODE_EXTRA_CA_CERTS=$CA_BUNDLE" \
    "$BASE_TARBALL" "$DEBIAN_BASE" >/dev/null
}

node_base() {
  local context node
  node="$(command -v node)" || { echo "node is required (the SPA's build runs it)" >&2; exit 1; }
  context="$(mktemp -d /tmp/conduit-node.XXXXXX)"
  cp "$(readlink -f "$node")" "$context/node"
  cp -a "$(dirname "$(readlink -f "$(command -v npm)")")/.." "$context/npm"
  build -f "$HERE/Containerfile.node" -t "$NODE_BASE" "$context"
  rm -rf "$context"
}

nginx_base() {
  build -f "$HERE/Containerfile.nginx" -t "$NGINX_BASE" "$HERE"
}

# Base images: only when podman does not hold them yet (a machine keeps them between runs).
podman image exists "$DEBIAN_BASE" || timed "$DEBIAN_BASE" debian_base
podman image exists "$NODE_BASE" || timed "$NODE_BASE" node_base
podman image exists "$NGINX_BASE" || timed "$NGINX_BASE" nginx_base

timed "$API_IMAGE" build --target api -t "$API_IMAGE" \
  --build-arg PYTHON_IMAGE="$DEBIAN_BASE" "$ROOT"
timed "$WEB_IMAGE" build --target web -t "$WEB_IMAGE" --build-arg VITE_API_URL=/api/v1 \
  --build-arg NODE_IMAGE="$NODE_BASE" --build-arg NGINX_IMAGE="$NGINX_BASE" "$ROOT"

mkdir -p "$ROOT/var/containers"
for image in "$DEBIAN_BASE" "$NODE_BASE" "$NGINX_BASE" "$API_IMAGE" "$WEB_IMAGE"; do
  printf '%-36s %s\n' "$image" "$(podman image inspect --format '{{.Size}}' "$image" | numfmt --to=si --suffix=B)"
done | tee "$ROOT/var/containers/image-sizes.txt"
