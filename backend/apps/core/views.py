from typing import Any

from django.http import HttpRequest, JsonResponse
from rest_framework.request import Request
from rest_framework.views import APIView

from apps.core.exception_handler import error_body


def not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """Django's 404 for URLs no route matches, in the API's error envelope."""
    return JsonResponse(error_body({"resource": ["not found"]}), status=404)


def server_error(request: HttpRequest) -> JsonResponse:
    """Django's 500, in the API's error envelope (the error itself is logged by Django)."""
    return JsonResponse(error_body({"server": ["internal error"]}), status=500)


# Base of every API view. (A comment, not a docstring: drf-spectacular would show a docstring as
# the description of every operation.) The URL-path version (`/api/<version>/`) is read by DRF's
# versioning into `request.version`, then dropped from the keyword arguments so that handlers
# take only their own.
class ApiView(APIView):
    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        # self.kwargs is the very dict that dispatch() passes on to the handler.
        self.kwargs.pop("version", None)
