"""Fixtures of the API tests."""

from __future__ import annotations

import secrets

import pytest

from tests.api.support import build_world, client_from
from tests.conftest import cheap_password_hashing


@pytest.fixture(autouse=True, scope="package")
def quick_password_hashing():
    """The API tests sign in hundreds of times."""
    with cheap_password_hashing():
        yield


@pytest.fixture(autouse=True)
def english(client):
    """Errors in English, so that tests can check what they say; Italian is tested apart."""
    client.headers["Accept-Language"] = "en"


@pytest.fixture(scope="module")
def shared_world(app, engine, quick_password_hashing):
    """One `world` for a whole module whose tests only add to it: a world costs a dozen requests.

    A module opts in by overriding `world` with it; its tests must not count what others add.
    """
    client = client_from(app, f"10.252.{secrets.randbelow(250)}.{secrets.randbelow(250)}")
    return build_world(client, engine)

