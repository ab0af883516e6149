from tests.celery_helpers import eager_tasks  # noqa: F401  (fixture)
