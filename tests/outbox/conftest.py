import pytest

from tests.celery_helpers import dead_broker, eager_tasks, memory_broker  # noqa: F401  (fixtures)


@pytest.fixture(autouse=True)
def _eager(request: pytest.FixtureRequest) -> None:
    """Tasks run in-process unless a test points the app at a broker (`dead_broker`...)."""
    request.getfixturevalue("eager_tasks")
