#!/usr/bin/env bash
# Regenerates the Python SDK (clients/python/conduit_client/ and pyproject.toml) from the v2 schema
# with the pinned openapi-python-client (pyproject.toml's dev extras), tidied by a pinned ruff.
#
#   clients/python/generate.sh [SCHEMA]      (default: openapi.v2.yaml; or: make sdk)
#
# The generator writes a whole project and, with --overwrite, deletes what it does not write; it
# writes into var/ and only its package and pyproject.toml are copied here, so that the README,
# the tests and this script stay.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SCHEMA="$(realpath "${1:-$ROOT/openapi.v2.yaml}")"
RUFF_VERSION=0.17.6
TOOLS="$ROOT/var/sdk-ruff"
GENERATED="$ROOT/var/sdk-python"

[[ -f "$SCHEMA" ]] || { echo "clients/python: no schema at $SCHEMA (make schema writes openapi.v2.yaml)" >&2; exit 1; }
if [[ "$("$TOOLS/bin/ruff" --version 2>/dev/null)" != "ruff $RUFF_VERSION" ]]; then
  rm -rf "$TOOLS"
  "$ROOT/.venv/bin/pip" install --quiet --disable-pip-version-check --target "$TOOLS" "ruff==$RUFF_VERSION"
fi
rm -rf "$GENERATED"
mkdir -p "$GENERATED.schema"
# openapi-python-client types every operation that has a security requirement for AuthenticatedClient
# only, optional ones (`security: [Token, {}]`: anonymous callers welcome) included. Those are given
# to it without the requirement, so that anonymous callers pass a plain Client (either works).
"$ROOT/.venv/bin/python" - "$SCHEMA" "$GENERATED.schema/openapi.yaml" <<'PYEOF'
import sys

import yaml

schema = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
for operations in schema["paths"].values():
    for operation in operations.values():
        if isinstance(operation, dict) and {} in operation.get("security", []):
            del operation["security"]
yaml.safe_dump(schema, open(sys.argv[2], "w", encoding="utf-8"), sort_keys=False, allow_unicode=True)
PYEOF
PATH="$TOOLS/bin:$PATH" "$ROOT/.venv/bin/openapi-python-client" generate --path "$GENERATED.schema/openapi.yaml" \
  --config "$HERE/generator.yaml" --meta pdm --output-path "$GENERATED" --fail-on-warning
rm -rf "$HERE/conduit_client"
cp -R "$GENERATED/conduit_client" "$HERE/conduit_client"
cp "$GENERATED/pyproject.toml" "$HERE/pyproject.toml"
echo "clients/python: conduit_client regenerated from ${SCHEMA#"$ROOT/"}"
