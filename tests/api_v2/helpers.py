"""Helpers of the v2 suite: URLs under /api/v2/, and the shape of a problem."""

from typing import Any

from django.urls import reverse

from apps.api.problems import PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_BASE


def v2_url(name: str, **kwargs: Any) -> str:
    """The v2 URL of a named route (`articles:detail`, slug=...)."""
    return reverse(name, kwargs={"version": "v2", **kwargs})


def assert_problem(response: Any, status: int, kind: str, errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """`response` is RFC 9457 problem details of `kind`, answered `status`, with these field `errors` if given."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    body: dict[str, Any] = response.json()
    assert set(body) == {"type", "title", "status", "detail", "errors"}, body
    assert body["type"] == PROBLEM_TYPE_BASE + kind
    assert body["status"] == status
    assert body["title"] and body["detail"]
    if errors is not None:
        assert body["errors"] == errors
    return body
