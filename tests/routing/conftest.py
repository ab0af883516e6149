"""Fixtures of the read-replica tests: a real streaming replica, and the router switched on."""

import copy
from collections.abc import Iterator

import pytest
from django.conf import settings as django_settings
from django.db import DEFAULT_DB_ALIAS, connections
from pytest_django.fixtures import Settings

from apps.caching.generations import reset_cache_breaker
from apps.routing.router import reset_replica_health
from deploy.replica import REPLICA_ALIAS, ReplicaServer


@pytest.fixture(scope="session")
def postgres_replica(django_db_setup: None) -> Iterator[ReplicaServer]:
    """
    A streaming replica of the test database, registered as the alias `replica1` (a test mirror of
    `default`, as config.settings.base declares replicas). PostgreSQL only: on another database the
    tests that use it are skipped; on PostgreSQL a replica that does not start fails them.
    """
    primary = connections[DEFAULT_DB_ALIAS]
    if primary.vendor != "postgresql":
        pytest.skip("read replicas are a PostgreSQL feature: set DATABASE_URL to a PostgreSQL server")
    server = ReplicaServer.create(primary=primary.settings_dict)
    replica = copy.deepcopy(primary.settings_dict)
    replica.update(
        HOST=server.host,
        PORT=server.port,
        ATOMIC_REQUESTS=False,
        OPTIONS={**replica["OPTIONS"], "connect_timeout": django_settings.DATABASE_REPLICA_CONNECT_TIMEOUT},
        TEST={**replica["TEST"], "MIRROR": DEFAULT_DB_ALIAS},
    )
    connections.settings[REPLICA_ALIAS] = replica
    try:
        yield server
    finally:
        connections[REPLICA_ALIAS].close()
        del connections[REPLICA_ALIAS]
        del connections.settings[REPLICA_ALIAS]
        server.destroy()


@pytest.fixture
def replica(postgres_replica: ReplicaServer, settings: Settings) -> Iterator[ReplicaServer]:
    """The replica, caught up with the primary, with the router and its middleware switched on."""
    settings.DATABASE_REPLICAS = [REPLICA_ALIAS]
    settings.DATABASE_ROUTERS = ["apps.routing.router.ReplicaRouter"]
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "apps.routing.router.ReplicaMiddleware"]
    if not postgres_replica.is_running():
        postgres_replica.start()
    postgres_replica.resume_replay()
    postgres_replica.wait_for_replay()
    reset_replica_health()
    reset_cache_breaker()  # read-your-writes needs the cache: forget another test's simulated outage
    yield postgres_replica
    connections[REPLICA_ALIAS].close()
    reset_replica_health()
    if not postgres_replica.is_running():
        postgres_replica.start()
    postgres_replica.resume_replay()
