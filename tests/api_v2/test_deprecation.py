"""
Deprecation and sunset (apps.api.versions): switched on per version by settings.API_VERSIONS (the
API_<V>_DEPRECATION, _SUNSET and _DEPRECATION_LINK variables), sent on every response of that version:
successes, errors, and responses stored in front of Django.
"""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from apps.api.versions import Deprecation, deprecation_headers
from tests.api_v2.helpers import v2_url
from tests.caching.test_responses import wsgi_get
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

GUIDE = "https://example.com/docs/api-versions#migrating-from-v1-to-v2"
NOT_DEPRECATED = {"DEPRECATION": "", "SUNSET": "", "DEPRECATION_LINK": ""}
V1_DEPRECATED = override_settings(
    API_VERSIONS={
        "v1": {"DEPRECATION": "2027-06-01", "SUNSET": "2028-06-01", "DEPRECATION_LINK": GUIDE},
        "v2": NOT_DEPRECATED,
    }
)
DEPRECATION = f"@{int(datetime(2027, 6, 1, tzinfo=UTC).timestamp())}"  # @1811808000
SUNSET = "Thu, 01 Jun 2028 00:00:00 GMT"
LINK = f'<{GUIDE}>; rel="deprecation"; type="text/html", <{GUIDE}>; rel="sunset"; type="text/html"'


def assert_deprecated(response) -> None:
    assert response["Deprecation"] == DEPRECATION
    assert response["Sunset"] == SUNSET
    assert response["Link"] == LINK


def assert_current(response) -> None:
    for header in ("Deprecation", "Sunset", "Link"):
        assert not response.has_header(header), header


def test_no_version_is_deprecated_by_default(api_client):
    for path in ("/api/tags", "/api/v1/tags", "/api/v2/tags", "/api/v1/nothing", "/api/v2/nothing"):
        assert_current(api_client.get(path))


def test_the_headers_follow_the_rfcs():
    deprecation = Deprecation(
        deprecated_at=datetime(2027, 6, 1, tzinfo=UTC), sunset_at=datetime(2028, 6, 1, tzinfo=UTC), link=GUIDE
    )
    assert deprecation.headers() == [("Deprecation", "@1811808000"), ("Sunset", SUNSET), ("Link", LINK)]


@V1_DEPRECATED
def test_a_deprecated_version_says_so_on_every_response(api_client, auth_client):
    article = ArticleFactory()
    for response in (
        api_client.get("/api/v1/tags"),
        api_client.get("/api/tags"),  # the unversioned alias is v1
        api_client.get(f"/api/v1/articles/{article.slug}"),
        auth_client.put("/api/v1/user", {"user": {"bio": "x"}}),
        api_client.get("/api/v1/user"),  # 401
        api_client.get("/api/v1/articles?limit=0"),  # 422
        api_client.get("/api/v1/nothing-here"),  # the catch-all's 404
    ):
        assert_deprecated(response)
    # The other version is current.
    assert_current(api_client.get(v2_url("tags:list")))
    assert_current(api_client.get("/api/v2/nothing-here"))
    assert_current(api_client.get("/healthz"))


@V1_DEPRECATED
@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=10)
def test_a_body_too_large_for_a_deprecated_version_says_so_too(auth_client):
    response = auth_client.post("/api/v1/articles", {"article": {"body": "x" * 100}})
    assert response.status_code == 413
    assert_deprecated(response)


def test_a_stored_response_gets_the_current_headers_in_front_of_django():
    """Stored while v1 was current, served after its deprecation was switched on: with the headers, and back."""
    ArticleFactory()
    stored = wsgi_get("/api/v1/articles")
    assert not stored.has("Deprecation")
    with V1_DEPRECATED:
        served = wsgi_get("/api/v1/articles")
        not_modified = wsgi_get("/api/v1/articles", **{"If-None-Match": stored["ETag"]})
    assert served.body == stored.body
    for answer in (served, not_modified):
        assert (answer["Deprecation"], answer["Sunset"], answer["Link"]) == (DEPRECATION, SUNSET, LINK)
    assert not wsgi_get("/api/v1/articles").has("Deprecation")
    assert not wsgi_get("/api/v2/articles").has("Deprecation")


def test_a_deprecation_date_alone_sends_no_sunset():
    with override_settings(API_VERSIONS={"v1": NOT_DEPRECATED, "v2": {**NOT_DEPRECATED, "DEPRECATION": "2030-01-01"}}):
        assert deprecation_headers("/api/v2/articles") == [("Deprecation", "@1893456000")]
        assert deprecation_headers("/api/v1/articles") == []


def test_a_date_that_is_not_iso_8601_is_refused():
    """Refused when read; ApiConfig.ready() reads every version's, so a bad value fails the start."""
    garbled = override_settings(API_VERSIONS={"v1": {**NOT_DEPRECATED, "SUNSET": "next year"}, "v2": NOT_DEPRECATED})
    with garbled, pytest.raises(ImproperlyConfigured, match="API_V1_SUNSET"):
        deprecation_headers("/api/v1/articles")
