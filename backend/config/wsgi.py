"""WSGI entry point. uvicorn serves it (`--interface wsgi`): see docs/serving.md for why."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

application = get_wsgi_application()
