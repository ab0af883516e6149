"""apps.api.schema: the OpenAPI extensions and postprocessing."""

from pathlib import Path

import yaml

from apps.api.schema import WRITE_METHODS

OPENAPI = Path(__file__).resolve().parents[2] / "openapi.yaml"


# Ref: #6 (fuzzing: a throttled unfollow answered an undocumented 429)
def test_every_write_operation_documents_429():
    schema = yaml.safe_load(OPENAPI.read_text())
    undocumented = [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if method in WRITE_METHODS and "429" not in operation["responses"]
    ]
    assert not undocumented
