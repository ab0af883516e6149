"""
Case (b), Django's floor: one plain Django view returning the bytes of a 20-article page, served
as WSGI under the same uvicorn flags as the project, with no middleware and no installed apps.

    DJANGO_SETTINGS_MODULE=tools.bench.bare_django.settings \
        uvicorn tools.bench.bare_django.wsgi:application --interface wsgi --http httptools --loop uvloop --workers 2
"""
