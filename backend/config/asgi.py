"""
ASGI entry point: the application every uvicorn serving the API runs (Makefile, image, cluster,
e2e). It is config.wsgi's application behind `StoredResponsesFront` (apps.caching.front), which
answers current stored responses on the event loop and hands the rest to WSGI_THREADS threads per
process; docs/serving.md says why it is not Django's own ASGI handler.
"""

from django.conf import settings

from apps.caching.front import StoredResponsesFront
from config.wsgi import application as wsgi_application  # sets DJANGO_SETTINGS_MODULE and sets Django up

application = StoredResponsesFront(wsgi_application, threads=settings.WSGI_THREADS)
