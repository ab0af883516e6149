"""The version registry (apps.api.versions), the schema and the docs of each version."""

import re

import pytest
import yaml

from apps.api.serializers import ErrorSerializer, ProblemSerializer
from apps.api.versions import VERSIONS, ApiVersion, api_version, version_of_path
from apps.articles.serializers import ArticleFilterSerializer, ArticleFilterV2Serializer, ArticleSerializer

pytestmark = pytest.mark.django_db


def test_each_version_maps_v1s_shapes_to_its_own():
    v1, v2 = VERSIONS["v1"], VERSIONS["v2"]
    assert v1.serializer(ErrorSerializer) is ErrorSerializer
    assert v2.serializer(ErrorSerializer) is ProblemSerializer
    assert v2.serializer(ArticleFilterSerializer) is ArticleFilterV2Serializer
    assert v2.serializer(ArticleSerializer) is ArticleSerializer  # unchanged in v2


def test_a_version_based_on_another_keeps_its_shapes_where_it_declares_none():
    """The recipe for v3 (docs/architecture.md): based on v2, with its own shapes where it differs."""
    v3 = ApiVersion(
        name="v3",
        based_on="v2",
        schema_file="openapi.v3.yaml",
        cursor_only=True,
        problem_details=True,
        conditional_writes=True,
        shapes={ArticleSerializer: ErrorSerializer},
    )
    assert v3.serializer(ErrorSerializer) is ProblemSerializer  # v2's
    assert v3.serializer(ArticleSerializer) is ErrorSerializer  # its own
    assert v3.serializer(ArticleFilterSerializer) is ArticleFilterV2Serializer


@pytest.mark.parametrize(
    ("path", "version"),
    [
        ("/api/articles", "v1"),
        ("/api/v1/articles", "v1"),
        ("/api/v2/articles", "v2"),
        ("/api/v2", "v2"),
        ("/api/v9/articles", None),
        ("/admin/", None),
        ("/healthz", None),
    ],
)
def test_the_version_of_a_path(path, version):
    found = version_of_path(path)
    assert (found.name if found else None) == version


def test_a_request_before_versioning_is_v1():
    assert api_version(object()).name == "v1"


@pytest.mark.parametrize("version", list(VERSIONS))
def test_each_version_serves_its_own_schema(api_client, version):
    response = api_client.get(f"/api/{version}/schema", HTTP_ACCEPT="application/vnd.oai.openapi")
    assert response.status_code == 200
    served = yaml.safe_load(response.content)
    assert served["servers"][0]["url"] == f"/api/{version}"


@pytest.mark.parametrize("page", ["docs", "redoc"])
def test_the_docs_of_each_version_link_to_the_others(api_client, page):
    for version in VERSIONS:
        html = api_client.get(f"/api/{version}/{page}/", HTTP_ACCEPT="text/html").content.decode()
        assert f'aria-current="page" style="margin-left: 8px;">{version}<' in html
        for other in set(VERSIONS) - {version}:
            assert f'href="/api/{other}/{page}/"' in html
        assert f"/api/{version}/schema" in html
        # drf-spectacular-sidecar's assets, served by the app: no script or style from elsewhere
        # (a bare "cdn" test matched a random nonce once)
        assert not re.search(r'(?:src|href)="(?:https?:)?//', html), html
