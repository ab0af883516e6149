"""apps.api.schema: the OpenAPI extensions and postprocessing, in every version's schema."""

from pathlib import Path

import pytest
import yaml

from apps.api.problems import PROBLEM_CONTENT_TYPE, PROBLEM_TYPES
from apps.api.schema import WRITE_METHODS
from apps.api.versions import VERSIONS

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = {name: yaml.safe_load((ROOT / version.schema_file).read_text()) for name, version in VERSIONS.items()}


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


# Ref: #6 (fuzzing: a throttled unfollow answered an undocumented 429)
@pytest.mark.parametrize("version", list(SCHEMAS))
def test_every_write_operation_documents_429(version):
    undocumented = [
        f"{method.upper()} {path}"
        for path, method, operation in operations(SCHEMAS[version])
        if method in WRITE_METHODS and "429" not in operation["responses"]
    ]
    assert not undocumented


def test_both_versions_have_the_same_operations():
    v1, v2 = ({(path, method) for path, method, _ in operations(SCHEMAS[name])} for name in ("v1", "v2"))
    assert v1 == v2


def test_v2_documents_every_error_as_problem_details_and_v1_as_its_envelope():
    for path, method, operation in operations(SCHEMAS["v2"]):
        for status, response in operation["responses"].items():
            if status >= "400":
                assert list(response["content"]) == [PROBLEM_CONTENT_TYPE], (method, path, status)
                assert response["content"][PROBLEM_CONTENT_TYPE]["schema"] == {"$ref": "#/components/schemas/Problem"}
    assert "Error" not in SCHEMAS["v2"]["components"]["schemas"]
    assert "Problem" not in SCHEMAS["v1"]["components"]["schemas"]
    problem = SCHEMAS["v2"]["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail", "errors"}
    assert all(kind in problem["description"] for kind, _ in PROBLEM_TYPES.values())


def test_v2_documents_the_conditional_writes_and_bad_json():
    paths = SCHEMAS["v2"]["paths"]
    for path in ("/articles/{slug}", "/user"):
        put = paths[path]["put"]
        assert "412" in put["responses"]
        assert any(parameter["name"] == "If-Match" for parameter in put["parameters"])
    for path, method, operation in operations(SCHEMAS["v2"]):
        if "requestBody" in operation:
            assert "400" in operation["responses"], (method, path)


def test_v2_lists_page_by_cursor_only_and_search():
    parameters = {p["name"] for p in SCHEMAS["v2"]["paths"]["/articles"]["get"]["parameters"]}
    assert parameters == {"tag", "author", "favorited", "limit", "cursor", "q"}
    for path, method, operation in operations(SCHEMAS["v2"]):
        assert all(p["name"] != "offset" for p in operation.get("parameters", [])), (method, path)
    assert SCHEMAS["v2"]["servers"] == [{"url": "/api/v2", "description": "API v2"}]
    assert SCHEMAS["v2"]["info"]["version"].startswith("2.")
