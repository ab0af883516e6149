"""The least Django needs to route one URL to one view: no apps, no middleware, no database."""

import os

DEBUG = False
SECRET_KEY = "bench-bare-django-not-a-secret-" + "x" * 32
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "tools.bench.bare_django.urls"
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
DATABASES: dict[str, dict[str, str]] = {}
USE_I18N = False
USE_TZ = True
BENCH_PAGE_FILE = os.environ["BENCH_PAGE_FILE"]
