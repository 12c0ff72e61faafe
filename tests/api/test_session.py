"""POST/DELETE /api/v1/session: signing in, tokens, sessions by cookie, failed-login limits."""

from __future__ import annotations

import secrets
import string
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from app.ratelimit import FailureLimiter
from app.security import CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE, csrf_token
from boards import accounts
from boards.clock import utcnow
from boards.errors import TooManyAttempts
from boards.models import Account, AuthToken, Process
from boards.secrets import digest
from tests.api.support import (
    assert_error,
    assert_not_stored,
    bearer,
    client_from,
    nothing_stored,
)
from tests.conftest import PASSWORD, unique

ALLOWED = 10  # Settings.auth_failures_allowed, the default the test app runs with


def new_address() -> str:
    return f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"


def test_sign_in_returns_a_token_and_the_user(client, make_account):
    staff = make_account("secretary", name="Marco Zanin")
    answer = client.post("/api/v1/session", json={"email": staff.email, "password": PASSWORD})
    assert answer.status_code == 200
    body = answer.json()
    assert body["user"] == {"id": staff.id, "name": "Marco Zanin", "role": "secretary"}
    assert client.get("/api/v1/processes", headers=bearer(body["token"])).json() == []


def test_token_carries_at_least_128_random_bits_and_is_stored_hashed(client, make_account, engine):
    staff = make_account()
    token = staff.token
    # URL-safe base64: 6 bits a character, so 22 characters hold 128 bits.
    assert len(token) >= 22
    assert set(token) <= set(string.ascii_letters + string.digits + "-_")
    with Session(engine) as session:
        stored = session.exec(
            select(AuthToken).where(AuthToken.token_hash == digest(token))
        ).one()
        assert stored.account_id == staff.id
    assert_not_stored(engine, token)


def test_email_is_matched_without_case_and_surrounding_spaces(client, make_account):
    staff = make_account()
    answer = client.post("/api/v1/session",
                         json={"email": f"  {staff.email.upper()} ", "password": PASSWORD})
    assert answer.status_code == 200
    assert answer.json()["user"]["id"] == staff.id


def test_wrong_password_and_unknown_email_get_the_same_401(client, make_account):
    staff = make_account()
    wrong = client.post("/api/v1/session",
                        json={"email": staff.email, "password": "nope-nope-nope"})
    unknown = client.post("/api/v1/session",
                          json={"email": f"{unique('ghost')}@example.org", "password": PASSWORD})
    assert assert_error(wrong, 401) == assert_error(unknown, 401)
    assert wrong.headers["www-authenticate"] == "Bearer"


def test_sign_in_stores_no_token_when_it_fails(client, make_account, engine):
    staff = make_account()
    with nothing_stored(engine):
        assert_error(client.post("/api/v1/session",
                                 json={"email": staff.email, "password": "wrong password"}), 401)


def test_an_address_with_control_characters_is_just_wrong_credentials(client):
    answer = client.post("/api/v1/session", json={"email": "giulia\x00@example.org",
                                                   "password": PASSWORD})
    assert_error(answer, 401)


def test_missing_fields_are_invalid_input(client):
    answer = client.post("/api/v1/session", json={"email": "giulia@example.org"})
    assert_error(answer, 422, "password")
    assert answer.json()["errors"][0]["loc"] == ["body", "password"]


def test_a_disabled_account_cannot_sign_in_and_its_tokens_stop_working(
    client, make_account, engine
):
    staff = make_account()
    with Session(engine) as session:
        account = session.get(Account, staff.id)
        account.disabled = True
        session.add(account)
        session.commit()
    assert_error(client.post("/api/v1/session", json={"email": staff.email, "password": PASSWORD}),
                 401)
    assert_error(client.get("/api/v1/processes", headers=staff.auth), 401)


def test_an_expired_token_is_refused(client, make_account, engine):
    staff = make_account()
    with Session(engine) as session:
        token = session.exec(
            select(AuthToken).where(AuthToken.token_hash == digest(staff.token))
        ).one()
        token.expires_at = utcnow() - timedelta(seconds=1)
        session.add(token)
        session.commit()
    assert_error(client.get("/api/v1/processes", headers=staff.auth), 401, "expired")


def test_sign_out_ends_only_the_token_used(client, make_account):
    staff = make_account()
    other = client.post("/api/v1/session", json={"email": staff.email, "password": PASSWORD}).json()
    answer = client.delete("/api/v1/session", headers=staff.auth)
    assert answer.status_code == 204
    assert_error(client.get("/api/v1/processes", headers=staff.auth), 401)
    assert client.get("/api/v1/processes", headers=bearer(other["token"])).status_code == 200


def test_unknown_or_malformed_credentials_get_401(client):
    assert_error(client.get("/api/v1/processes"), 401, "sign in")
    assert_error(client.get("/api/v1/processes", headers=bearer("not-a-token")), 401)
    assert_error(client.get("/api/v1/processes", headers={"Authorization": "Basic Z2l1bGlh"}), 401)
    assert_error(client.get("/api/v1/processes", headers={"Authorization": "Bearer "}), 401)


# --- browser sessions --------------------------------------------------------------------


def _browser_session(client, engine, staff) -> str:
    """What the sign-in page does: a browser token in the session cookie, and a CSRF seed."""
    with Session(engine) as session:
        secret = accounts.issue_token(session, days=1, account=session.get(Account, staff.id),
                                      browser=True)
        session.commit()
    seed = secrets.token_urlsafe(16)
    client.cookies.set(SESSION_COOKIE, secret)
    client.cookies.set(CSRF_COOKIE, seed)
    return seed


def test_a_session_cookie_authenticates_reads(client, make_account, engine):
    staff = make_account()
    _browser_session(client, engine, staff)
    assert client.get("/api/v1/processes").status_code == 200


def test_a_cookie_authenticated_write_needs_the_csrf_header(client, make_account, engine, settings):
    staff = make_account()
    seed = _browser_session(client, engine, staff)
    title = unique("Percorso")
    with nothing_stored(engine):
        answer = client.post("/api/v1/processes", json={"title": title, "kind": "co-design"})
    assert_error(answer, 403, "csrf")
    wrong = client.post("/api/v1/processes", json={"title": title, "kind": "co-design"},
                        headers={CSRF_HEADER: csrf_token(settings.secret_key, "another seed")})
    assert_error(wrong, 403, "csrf")
    right = client.post("/api/v1/processes", json={"title": title, "kind": "co-design"},
                        headers={CSRF_HEADER: csrf_token(settings.secret_key, seed)})
    assert right.status_code == 201
    with Session(engine) as session:
        assert len(session.exec(select(Process).where(Process.title == title)).all()) == 1


def test_a_bearer_token_needs_no_csrf_header_even_with_cookies(client, make_account, engine):
    staff = make_account()
    _browser_session(client, engine, staff)
    answer = client.post("/api/v1/processes", headers=staff.auth,
                         json={"title": unique("Percorso"), "kind": "co-design"})
    assert answer.status_code == 201


def test_an_invalid_session_cookie_is_no_session(client):
    client.cookies.set(SESSION_COOKIE, "stale")
    assert_error(client.get("/api/v1/processes"), 401)


# --- failed attempts ---------------------------------------------------------------------


def _login(client, email: str, password: str):
    return client.post("/api/v1/session", json={"email": email, "password": password})


def test_repeated_failures_from_one_address_get_429(app, make_account):
    staff = make_account()
    client = client_from(app, new_address())
    for attempt in range(ALLOWED):
        # A different (unknown) account each time: only the address is the same.
        assert _login(client, f"{unique('guess')}@example.org", "guess").status_code == 401
    assert_error(_login(client, f"{unique('guess')}@example.org", "guess"), 429, "too many")
    # Locked out: even the right password from that address waits.
    assert_error(_login(client, staff.email, PASSWORD), 429)
    # Another address is not affected.
    assert _login(client_from(app, new_address()), staff.email, PASSWORD).status_code == 200


def test_repeated_failures_for_one_account_from_many_addresses_get_429(app, make_account):
    staff = make_account()
    for attempt in range(ALLOWED):
        answer = _login(client_from(app, new_address()), staff.email, "wrong password")
        assert answer.status_code == 401
    assert_error(_login(client_from(app, new_address()), staff.email, "wrong password"), 429)
    assert_error(_login(client_from(app, new_address()), staff.email.upper(), PASSWORD), 429)
    # Other accounts still sign in from anywhere.
    other = make_account()
    assert _login(client_from(app, new_address()), other.email, PASSWORD).status_code == 200


def test_successful_sign_ins_do_not_count(app, make_account):
    staff = make_account()
    client = client_from(app, new_address())
    for attempt in range(ALLOWED + 5):
        assert _login(client, staff.email, PASSWORD).status_code == 200
    for attempt in range(ALLOWED):
        assert _login(client, staff.email, "wrong password").status_code == 401
    assert_error(_login(client, staff.email, "wrong password"), 429)


def test_failures_are_forgotten_after_the_window(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr("app.ratelimit.time.monotonic", lambda: now[0])
    limiter = FailureLimiter(allowed=2, window_seconds=60)
    limiter.fail("ip")
    limiter.fail("ip")
    with pytest.raises(TooManyAttempts):
        limiter.check("email", "ip")
    limiter.check("email")
    now[0] += 61
    limiter.check("ip")
    assert limiter._failures == {}, "expired keys are dropped, not kept forever"
