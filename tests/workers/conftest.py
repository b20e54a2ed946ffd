"""A PostgreSQL server of the fault tests' own, which they may stop and start at will."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.pgserver import PostgresServer, find_pg_bin


@pytest.fixture(scope="session")
def restartable_pg() -> Iterator[PostgresServer]:
    """A private server (not the shared ``pg_server``): restarting it disturbs no other test."""
    bin_dir = find_pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL server binaries not installed (make test installs them)")
    server = PostgresServer(bin_dir).init()
    yield server
    server.destroy()
