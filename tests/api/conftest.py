"""Fixtures of the API tests."""

from __future__ import annotations

import secrets

import pytest
from argon2 import PasswordHasher

from boards import accounts
from tests.api.support import build_world, client_from


@pytest.fixture(autouse=True, scope="package")
def quick_password_hashing():
    """Argon2id at its lowest cost: the API tests sign in hundreds of times.

    tests/boards/test_accounts.py checks the real parameters.
    """
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    patch = pytest.MonkeyPatch()
    patch.setattr(accounts, "_hasher", cheap)
    patch.setattr(accounts, "_DUMMY_HASH", cheap.hash("not a password"))
    yield
    patch.undo()


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

