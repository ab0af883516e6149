"""
WSGI entry point: what any WSGI server can run. uvicorn serves it behind config.asgi, which answers
stored responses before a2wsgi's thread hand-off (docs/serving.md).

Django's application sits behind `StoredResponses` (apps.caching.responses), which answers anonymous
API reads whose data is unchanged from their stored bytes before Django's middleware chain runs.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

django_application = get_wsgi_application()

from apps.api.versions import DEPRECATION_HEADER_NAMES, deprecation_headers  # noqa: E402  (needs the settings)
from apps.caching.responses import StoredResponses  # noqa: E402  (needs the settings, set up just above)

# A stored response is served with its version's current deprecation headers, not those it was stored with.
application = StoredResponses(django_application, fresh_headers=(DEPRECATION_HEADER_NAMES, deprecation_headers))
