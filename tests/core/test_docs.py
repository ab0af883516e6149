import pytest

from tests.helpers import api_url

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url_name", ["docs", "redoc"])
def test_docs_page_serves_its_assets_from_our_own_origin(api_client, url_name):
    response = api_client.get(api_url(url_name))
    assert response.status_code == 200
    html = response.content.decode()
    # drf-spectacular-sidecar: the UI works with no internet access.
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn.jsdelivr.net" not in html


def test_schema_endpoint_serves_the_openapi_document(api_client):
    response = api_client.get(api_url("schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["servers"] == [{"url": "/api/v1", "description": schema["servers"][0]["description"]}]
    assert "/articles" in schema["paths"]
    assert schema["components"]["securitySchemes"]["Token"]["name"] == "Authorization"
