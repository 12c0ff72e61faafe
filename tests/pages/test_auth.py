"""Signing in and out of the pages: cookies, CSRF, failed attempts, redirects to login."""

from __future__ import annotations

import secrets
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from tests.conftest import PASSWORD
from tests.pages.conftest import sign_in, token_for


def cookie_header(answer, name: str) -> str:
    """The Set-Cookie header for one cookie (lower case, to compare attributes)."""
    for header in answer.headers.get_list("set-cookie"):
        if header.startswith(f"{name}="):
            return header.lower()
    raise AssertionError(f"no Set-Cookie for {name}: {answer.headers.get_list('set-cookie')}")


def test_login_page_is_italian_with_security_headers(client):
    answer = client.get("/login")
    assert answer.status_code == 200
    assert '<html lang="it">' in answer.text
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"]
    # The CSRF cookie the forms are bound to comes with the first page.
    assert "httponly" in cookie_header(answer, "tavolo_csrf")


def test_login_sets_an_httponly_samesite_session_cookie(client, make_account):
    staff = make_account()
    answer = sign_in(client, staff.email)
    assert answer.headers["location"] == "/processes"
    header = cookie_header(answer, "tavolo_session")
    assert "httponly" in header and "samesite=lax" in header and "path=/" in header
    assert "secure" not in header  # plain http in tests
    assert client.get("/processes", follow_redirects=False).status_code == 200


def test_session_cookie_is_secure_behind_https(db_url, make_account):
    staff = make_account()
    settings = Settings(database_url=db_url, secret_key=secrets.token_urlsafe(32),
                        base_url="https://tavolo.example.org")
    with TestClient(create_app(settings), base_url="https://tavolo.example.org") as client:
        answer = sign_in(client, staff.email)
    assert "secure" in cookie_header(answer, "tavolo_session")


def test_login_makes_a_new_session_and_ends_the_old_one(client, make_account):
    staff = make_account()
    # A session planted before signing in (session fixation) is not the one we get.
    client.cookies.set("tavolo_session", staff.token)
    answer = sign_in(client, staff.email)
    new_token = answer.cookies.get("tavolo_session")
    assert new_token and new_token != staff.token
    assert client.get("/api/v1/processes", headers=staff.auth).status_code == 401


def test_login_without_csrf_token_is_refused(client, make_account):
    staff = make_account()
    client.get("/login")
    answer = client.post("/login", data={"email": staff.email, "password": PASSWORD},
                         follow_redirects=False)
    assert answer.status_code == 403
    assert "tavolo_session" not in answer.headers.get("set-cookie", "")


def test_wrong_password_then_too_many_attempts(client, make_account):
    staff = make_account()
    token = token_for(client)
    statuses = []
    for _ in range(client.app.state.services.settings.auth_failures_allowed + 1):
        answer = client.post("/login", data={"email": staff.email, "password": "wrong password",
                                             "csrf_token": token})
        statuses.append(answer.status_code)
        if len(statuses) == 1:
            assert "Email o password errati" in answer.text
    assert set(statuses[:-1]) == {401}
    assert statuses[-1] == 429
    assert "Troppi tentativi" in answer.text
    # Even the right password waits until the window has passed.
    answer = client.post("/login", data={"email": staff.email, "password": PASSWORD,
                                         "csrf_token": token}, follow_redirects=False)
    assert answer.status_code == 429


def test_logout_ends_the_session(client, make_account):
    staff = make_account()
    sign_in(client, staff.email)
    session_token = client.cookies.get("tavolo_session")
    token = token_for(client, "/processes")
    answer = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/login"
    client.cookies.delete("tavolo_session")
    assert client.get("/api/v1/processes",
                      headers={"Authorization": f"Bearer {session_token}"}).status_code == 401


def test_anonymous_visitor_is_sent_to_login_and_back(client, make_account, world):
    answer = client.get(f"/processes/{world.process}", follow_redirects=False)
    assert answer.status_code == 303
    location = urlsplit(answer.headers["location"])
    assert location.path == "/login"
    assert parse_qs(location.query)["next"] == [f"/processes/{world.process}"]
    token = token_for(client, answer.headers["location"])
    answer = client.post("/login", data={"email": world.facilitator.email, "password": PASSWORD,
                                         "csrf_token": token, "next": f"/processes/{world.process}"},
                         follow_redirects=False)
    assert answer.headers["location"] == f"/processes/{world.process}"


def test_htmx_request_without_session_gets_a_client_redirect(client):
    answer = client.get("/processes", headers={"HX-Request": "true",
                                               "HX-Current-URL": "http://testserver/processes"},
                        follow_redirects=False)
    assert answer.headers["hx-redirect"] == "/login?next=%2Fprocesses"


def test_next_must_be_a_path_on_this_site(client, make_account):
    staff = make_account()
    for evil in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"):
        client.cookies.clear()
        token = token_for(client)
        answer = client.post("/login", data={"email": staff.email, "password": PASSWORD,
                                             "csrf_token": token, "next": evil},
                             follow_redirects=False)
        assert answer.headers["location"] == "/processes", evil


def test_home_sends_each_visitor_on(client, world):
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"
    client.cookies.set("tavolo_session", world.participant["token"])
    assert client.get("/", follow_redirects=False).headers["location"] == f"/processes/{world.process}"
