"""/metrics: internal only, and it reports request latencies per route, SQL, cache and task timings."""

import pytest
from prometheus_client import REGISTRY

from apps.caching.backends import RedisCache
from apps.observability.middleware import route_label
from apps.outbox.services import outbox_enqueue
from tests.factories import ArticleFactory
from tests.helpers import api_url

pytestmark = pytest.mark.django_db


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def scrape(client, **extra) -> str:
    response = client.get("/metrics", **extra)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode()


def test_metrics_are_served_to_a_direct_local_caller(api_client):
    assert "conduit_http_request_duration_seconds" in scrape(api_client)


@pytest.mark.parametrize(
    "extra",
    [{"REMOTE_ADDR": "8.8.8.8"}, {"HTTP_X_FORWARDED_FOR": "203.0.113.5"}],
    ids=["public-address", "through-the-balancer"],
)
def test_metrics_are_refused_to_public_callers(api_client, extra):
    response = api_client.get("/metrics", **extra)
    assert response.status_code == 403
    assert response.json() == {"errors": {"metrics": ["forbidden"]}}


def test_with_a_token_metrics_need_it_from_anywhere(api_client, settings):
    settings.METRICS_TOKEN = "s3cret-scrape-token"
    assert api_client.get("/metrics").status_code == 403
    assert api_client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    scrape(api_client, HTTP_AUTHORIZATION="Bearer s3cret-scrape-token", REMOTE_ADDR="8.8.8.8")


def test_request_latency_is_recorded_per_route_not_per_path(api_client):
    labels = {"method": "GET", "route": "/api/articles/{slug}"}
    before = sample("conduit_http_request_duration_seconds_count", **labels)
    ok = {**labels, "status": "200"}
    ok_before = sample("conduit_http_requests_total", **ok)

    for article in ArticleFactory.create_batch(2):
        api_client.get(api_url("articles:detail", slug=article.slug))
    api_client.get(api_url("articles:detail", slug="nope"))

    assert sample("conduit_http_request_duration_seconds_count", **labels) == before + 3
    assert sample("conduit_http_requests_total", **ok) == ok_before + 2
    assert sample("conduit_http_requests_total", **labels, status="404") >= 1


def test_unmatched_paths_share_one_label(api_client):
    before = sample("conduit_http_requests_total", method="GET", route="<unmatched>", status="404")
    api_client.get("/no/such/page/1")
    api_client.get("/no/such/page/2")
    assert sample("conduit_http_requests_total", method="GET", route="<unmatched>", status="404") == before + 2


def test_route_labels_are_the_openapi_paths(rf):
    from django.urls import resolve

    request = rf.get(api_url("comments:detail", slug="a-slug", comment_id=3))
    request.resolver_match = resolve(request.path)
    assert route_label(request) == "/api/articles/{slug}/comments/{comment_id}"


def test_sql_statements_are_timed(api_client):
    before = sample("conduit_db_query_duration_seconds_count", alias="default")
    ArticleFactory()
    assert sample("conduit_db_query_duration_seconds_count", alias="default") > before


def test_cache_operations_and_their_failures_are_timed():
    dead = RedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.1}})
    before = sample("conduit_cache_operation_duration_seconds_count", operation="get")
    errors_before = sample("conduit_cache_operation_errors_total", operation="get")

    with pytest.raises(Exception):  # noqa: B017 (whatever redis raises for a refused connection)
        dead.get("key")

    assert sample("conduit_cache_operation_duration_seconds_count", operation="get") == before + 1
    assert sample("conduit_cache_operation_errors_total", operation="get") == errors_before + 1


def test_celery_tasks_are_counted_by_outcome(django_capture_on_commit_callbacks, eager_tasks):
    name = "idempotency.purge_expired"
    before = sample("conduit_celery_tasks_total", task=name, outcome="succeeded")
    with django_capture_on_commit_callbacks(execute=True):
        outbox_enqueue(task=name, kwargs={})
    assert sample("conduit_celery_tasks_total", task=name, outcome="succeeded") == before + 1
    assert sample("conduit_celery_task_duration_seconds_count", task=name) >= 1
