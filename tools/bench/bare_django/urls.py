from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import path

BODY = Path(settings.BENCH_PAGE_FILE).read_bytes()  # type: ignore[misc]  # the stubs plugin knows only config.settings


def page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(BODY, content_type="application/json")


# The same path as the project's list, so URL resolution costs about the same.
urlpatterns = [path("api/v1/articles", page)]
