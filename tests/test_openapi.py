from pathlib import Path

from django.core.management import call_command

OPENAPI_FILE = Path(__file__).resolve().parent.parent / "openapi.yaml"


def test_schema_generates_without_warnings_and_matches_the_committed_file(tmp_path):
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", "--file", str(generated), "--validate", "--fail-on-warn")
    assert generated.read_text() == OPENAPI_FILE.read_text(), "openapi.yaml is stale: run `make schema`"
