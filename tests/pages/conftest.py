"""Helpers for page tests: reading the CSRF token of a page and signing in through the form."""

from __future__ import annotations

import re

import pytest

from tests.conftest import PASSWORD, cheap_password_hashing

CSRF_FIELD = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token a page's forms carry."""
    match = CSRF_FIELD.search(html)
    assert match, "the page has no CSRF field"
    return match.group(1)


def token_for(client, path: str = "/login") -> str:
    """Open a page (which sets the CSRF cookie) and return its forms' token."""
    answer = client.get(path)
    assert answer.status_code == 200, answer.text
    return csrf_of(answer.text)


def sign_in(client, email: str, password: str = PASSWORD):
    token = token_for(client, "/login")
    answer = client.post("/login", data={"email": email, "password": password, "csrf_token": token},
                         follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return answer


def post_form(client, path: str, data: dict, *, page: str, htmx: bool = False, **kwargs):
    """Post `data` from the form of `page`, with that page's CSRF token."""
    token = token_for(client, page)
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(path, data={**data, "csrf_token": token}, headers=headers,
                       follow_redirects=False, **kwargs)


@pytest.fixture
def facilitator_client(client, world):
    """The test client signed in (by the page form) as the world's facilitator."""
    sign_in(client, world.facilitator.email)
    return client


@pytest.fixture(autouse=True, scope="package")
def quick_password_hashing():
    """Page tests sign in many times."""
    with cheap_password_hashing():
        yield
