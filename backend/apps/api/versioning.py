from typing import Any

from rest_framework import versioning
from rest_framework.request import Request

from apps.api.versions import VERSIONS
from apps.core.exceptions import NotFoundError


class URLPathVersioning(versioning.URLPathVersioning):
    """DRF's URL-path versioning over apps.api.versions.VERSIONS, an unknown version answered 404."""

    allowed_versions = tuple(VERSIONS)

    def determine_version(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        version = kwargs.get(self.version_param, self.default_version)
        if not self.is_allowed_version(version):
            raise NotFoundError("version", f"{version} is not a version of this API")
        return version
