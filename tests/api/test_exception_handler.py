import pytest
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.test import RequestFactory
from rest_framework import exceptions
from rest_framework.exceptions import ErrorDetail
from rest_framework.response import Response

from apps.api.exception_handler import exception_handler
from apps.api.views import in_write_transaction, server_error
from apps.core.exceptions import (
    ApplicationError,
    AuthenticationError,
    ConflictError,
    InvalidError,
    NotFoundError,
    PermissionDeniedError,
)
from apps.observability.middleware import UNMATCHED_ROUTE, route_label
from apps.tags.models import Tag
from tests.client import APIClient
from tests.helpers import api_url

pytestmark = pytest.mark.django_db


def handle(exc: Exception) -> tuple[int, dict]:
    response = exception_handler(exc, {})
    assert response is not None
    return response.status_code, response.data


@pytest.mark.parametrize(
    ("exc", "status_code", "errors"),
    [
        (NotFoundError("article"), 404, {"article": ["not found"]}),
        (PermissionDeniedError("comment"), 403, {"comment": ["forbidden"]}),
        (ConflictError("username"), 409, {"username": ["has already been taken"]}),
        (AuthenticationError("credentials"), 401, {"credentials": ["invalid"]}),
        (InvalidError("profile", "cannot follow yourself"), 422, {"profile": ["cannot follow yourself"]}),
        (ApplicationError("thing"), 400, {"thing": ["invalid"]}),
    ],
)
def test_application_errors_become_their_status_and_field(exc, status_code, errors):
    assert handle(exc) == (status_code, {"errors": errors})


@pytest.mark.parametrize(
    ("exc", "status_code", "errors"),
    [
        (exceptions.NotAuthenticated(), 401, {"token": ["is missing"]}),
        (exceptions.AuthenticationFailed("Token is expired"), 401, {"token": ["is invalid"]}),
        (exceptions.ParseError(), 422, {"request": ["is not valid JSON"]}),
        (exceptions.NotFound(), 404, {"resource": ["not found"]}),
        (Http404(), 404, {"resource": ["not found"]}),
        (exceptions.PermissionDenied(), 403, {"permission": ["forbidden"]}),
        (DjangoPermissionDenied(), 403, {"permission": ["forbidden"]}),
        (exceptions.MethodNotAllowed("PATCH"), 405, {"method": ['Method "PATCH" not allowed.']}),
        (
            exceptions.UnsupportedMediaType("text/plain"),
            415,
            {"request": ['Unsupported media type "text/plain" in request.']},
        ),
        (exceptions.Throttled(wait=2.2), 429, {"throttle": ["Too many requests; retry in 3 seconds."]}),
    ],
)
def test_framework_errors_use_the_one_envelope(exc, status_code, errors):
    assert handle(exc) == (status_code, {"errors": errors})


def test_auth_and_throttle_errors_keep_their_headers():
    assert exception_handler(exceptions.Throttled(wait=3), {})["Retry-After"] == "3"
    failed = exceptions.AuthenticationFailed()
    failed.auth_header = 'Token realm="api"'
    assert exception_handler(failed, {})["WWW-Authenticate"] == 'Token realm="api"'


@pytest.mark.parametrize("code", ["required", "blank", "null"])
def test_nested_blank_errors_are_reported_under_the_innermost_field(code):
    detail = {"user": {"email": [ErrorDetail("This field may not be blank.", code=code)]}}
    assert handle(exceptions.ValidationError(detail)) == (422, {"errors": {"email": ["can't be blank"]}})


def test_other_validation_messages_are_kept():
    detail = {
        "article": {"title": [ErrorDetail("Ensure this field has no more than 255 characters.", code="max_length")]}
    }
    assert handle(exceptions.ValidationError(detail))[1] == {
        "errors": {"title": ["Ensure this field has no more than 255 characters."]}
    }


def test_list_items_and_non_field_errors_report_under_their_parent():
    detail = {
        "article": {"tagList": {"0": [ErrorDetail("too long", code="max_length")]}},
        "non_field_errors": [ErrorDetail("Invalid data.", code="invalid")],
        "user": [ErrorDetail("bad", code="invalid"), ErrorDetail("bad", code="invalid")],
    }
    assert handle(exceptions.ValidationError(detail))[1] == {
        "errors": {"tagList": ["too long"], "request": ["Invalid data."], "user": ["bad"]}
    }


def test_django_validation_errors_are_422():
    assert handle(DjangoValidationError({"username": ["is invalid"]})) == (
        422,
        {"errors": {"username": ["is invalid"]}},
    )
    assert handle(DjangoValidationError("whole request is wrong")) == (
        422,
        {"errors": {"request": ["whole request is wrong"]}},
    )


def test_unknown_exceptions_are_left_to_the_500_handler():
    assert exception_handler(ZeroDivisionError(), {}) is None


def test_the_500_handler_answers_in_the_envelope():
    response = server_error(RequestFactory().get(api_url("articles:list")))
    assert response.status_code == 500
    assert response.content == b'{"errors": {"server": ["internal error"]}}'


def test_a_write_that_fails_leaves_nothing_behind(db):
    # Ref: #11: the handler's transaction (ApiView) is left by the exception, before it is handled.
    def handler(request: object) -> Response:
        Tag.objects.create(name="half-written")
        raise NotFoundError("article")

    with pytest.raises(NotFoundError):
        in_write_transaction(handler)(None)
    assert not Tag.objects.filter(name="half-written").exists()


# ------------------------------------------------------------------------------
# URLs that no route matches: the JSON 404 on every server, a debug one included
# ------------------------------------------------------------------------------
UNKNOWN_PATHS = ["/nope", "/api/nope", "/api/v1/articles/a/b/c", "/api/v1/nope", "/admin", "/healthz/x", "/"]


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("method", ["get", "post", "put", "delete"])
@pytest.mark.parametrize("path", UNKNOWN_PATHS)
def test_an_unknown_url_is_the_json_404_even_on_a_debug_server(settings, debug, method, path):
    # Ref: #9 (12): DJANGO_DEBUG=true answered Django's HTML 404, which lists every URL pattern.
    settings.DEBUG = debug
    response = getattr(APIClient(enforce_csrf_checks=True), method)(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"errors": {"resource": ["not found"]}}


def test_an_unknown_url_is_counted_as_unmatched_and_needs_no_query(api_client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = api_client.get("/nope")
    assert route_label(response.wsgi_request) == UNMATCHED_ROUTE


@pytest.mark.parametrize(
    ("path", "status_code", "content_type"),
    [
        ("/admin/", 302, "text/html; charset=utf-8"),  # to the admin's login page
        ("/admin/login/", 200, "text/html; charset=utf-8"),
        ("/admin/nope", 302, "text/html; charset=utf-8"),  # the admin's own catch-all, behind its login
        (api_url("docs"), 200, "text/html; charset=utf-8"),
        (api_url("schema"), 200, "application/vnd.oai.openapi; charset=utf-8"),
        ("/healthz", 200, "application/json"),
        ("/metrics", 200, None),
    ],
)
def test_the_admin_docs_probes_and_metrics_are_still_served_on_a_debug_server(
    settings, path, status_code, content_type
):
    # Ref: #9 (12)
    settings.DEBUG = True
    response = APIClient().get(path)
    assert response.status_code == status_code, response.content[:300]
    if content_type:
        assert response["Content-Type"] == content_type
