"""Fixtures of the reliability tests: servers of their own that they may stop and start."""

from __future__ import annotations

import pytest

from tests.reliability.servers import PostgresCluster, RedisServer


@pytest.fixture
def redis_server(tmp_path):
    """A running redis-server on a free port; the test may `stop()` and `start()` it."""
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_cluster():
    cluster = PostgresCluster()
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.destroy()
