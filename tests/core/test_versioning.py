import pytest

pytestmark = pytest.mark.django_db


def test_unversioned_api_serves_the_current_version(api_client):
    assert api_client.get("/api/tags").json() == api_client.get("/api/v1/tags").json() == {"tags": []}


def test_unknown_version_is_a_404_in_the_error_envelope(api_client):
    response = api_client.get("/api/v2/tags")
    assert response.status_code == 404
    assert response.json() == {"errors": {"version": ["v2 is not a version of this API"]}}


def test_unknown_url_is_a_404_in_the_error_envelope(api_client):
    response = api_client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"errors": {"resource": ["not found"]}}
