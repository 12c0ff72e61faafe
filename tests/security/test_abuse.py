"""Abuse: guessing passwords, invites and codes; flooding ops; fixing sessions; forging
requests from other sites; framing, sniffing and leaking through headers and cookies.

What other modules already prove is not repeated here (docs/security.md lists them all):
per-address and per-account login limits and that only failures count
(tests/api/test_session.py), failed joins (tests/api/test_join.py), the ops token bucket in
the sans-I/O core (tests/realtime/test_protocol.py), the cross-origin websocket
(tests/realtime/test_live.py::test_cookie_connections_need_our_origin).
"""

from __future__ import annotations

import base64
import importlib
import math
import pkgutil
import re
import secrets
import time

import pytest
from fastapi import APIRouter
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

import app.pages
from app.main import create_app
from app.security import CSRF_COOKIE, csrf_token
from app.settings import Settings
from boards.secrets import CODE_ALPHABET
from tests.api.support import assert_error, client_from, nothing_stored
from tests.conftest import PASSWORD, cheap_password_hashing, unique
from tests.pages.conftest import sign_in, token_for
from tests.realtime.support import Client, new_op_id


@pytest.fixture(autouse=True, scope="module")
def quick_password_hashing():
    """Every test signs staff in, several times."""
    with cheap_password_hashing():
        yield


def new_address() -> str:
    return f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"


def allowed(app) -> int:
    return app.state.services.settings.auth_failures_allowed


def window(app) -> int:
    return app.state.services.settings.auth_failure_window_seconds


def new_invite(client, world) -> dict:
    answer = client.post(f"/api/v1/processes/{world.process}/invites", headers=world.facilitator.auth,
                         json={"name": unique("Sara Greco"), "role": "participant",
                               "organization": world.organizations["third_sector"]})
    assert answer.status_code == 201, answer.text
    return answer.json()


# --- rate limits: 429 says when to come back, and the window ends ---------------------------


def retry_after(answer, app) -> int:
    assert answer.status_code == 429, answer.text
    seconds = int(answer.headers["retry-after"])
    assert 0 < seconds <= window(app)
    return seconds


def test_too_many_failed_logins_say_when_to_retry_on_the_api_and_the_page(app, make_account):
    staff = make_account()
    api = client_from(app, new_address())
    for _ in range(allowed(app)):
        assert api.post("/api/v1/session", json={"email": staff.email, "password": "no"}).status_code == 401
    refused = api.post("/api/v1/session", json={"email": staff.email, "password": PASSWORD})
    assert_error(refused, 429, "too many")
    retry_after(refused, app)

    page = client_from(app, new_address())
    token = token_for(page)
    for _ in range(allowed(app)):
        page.post("/login", data={"email": unique("x") + "@example.org", "password": "no",
                                  "csrf_token": token})
    refused = page.post("/login", data={"email": "a@example.org", "password": "no", "csrf_token": token})
    retry_after(refused, app)
    assert "<form" in refused.text, "the page answers with the form again, not a bare error"


def test_too_many_failed_joins_say_when_to_retry_on_the_api_and_the_page(app):
    for guess in (lambda c, n: c.post("/api/v1/join", json={"invite": f"guess-{n}"}),
                  lambda c, n: c.get(f"/join/guess-{n}"),
                  lambda c, n: c.get(f"/code/BCDFG{n:05d}")):
        guesser = client_from(app, new_address())
        for attempt in range(allowed(app)):
            assert guess(guesser, attempt).status_code == 404
        retry_after(guess(guesser, 99), app)


def test_the_limit_ends_with_its_window_and_retry_after_counts_down(app, make_account, monkeypatch):
    staff = make_account()
    now = [10_000.0]
    monkeypatch.setattr("app.ratelimit.time.monotonic", lambda: now[0])
    client = client_from(app, new_address())

    def login(password):
        return client.post("/api/v1/session", json={"email": staff.email, "password": password})

    for _ in range(allowed(app)):
        assert login("wrong").status_code == 401
    assert retry_after(login(PASSWORD), app) == window(app)
    now[0] += 300
    assert retry_after(login(PASSWORD), app) == window(app) - 300
    now[0] += window(app) - 300 + 1
    assert login(PASSWORD).status_code == 200
    # The failures aged out: a new run of failures starts from zero.
    for _ in range(allowed(app) - 1):
        assert login("wrong").status_code == 401
    assert login(PASSWORD).status_code == 200


async def test_a_flood_of_ops_over_a_socket_is_refused_with_rate_limited_and_leaves_no_trace(
    live_server, world, client
):
    """Frames arrive faster than the per-person bucket refills: the excess gets
    `rate_limited` with its op id, only acknowledged ops are on the board, and a refused op id
    may be sent again once the bucket has refilled."""
    board = f"board:{world.meeting['plenary_board']}"
    ws = await Client.open(live_server.ws_url, world.meeting["id"], world.facilitator.token)
    ops = [new_op_id() for _ in range(200)]
    for op_id in ops:
        await ws.send({"type": "op", "id": op_id, "stream": board, "name": "item.create",
                       "data": {"kind": "note", "x": 0, "y": 0, "text": f"flood {op_id}"}})
    answers = {op_id: await ws.answer(op_id) for op_id in ops}
    refused = [op_id for op_id, answer in answers.items() if answer["type"] == "error"]
    acked = [op_id for op_id, answer in answers.items() if answer["type"] == "ack"]
    assert refused, "200 ops at once must exceed the burst"
    assert {answers[op_id]["code"] for op_id in refused} == {"rate_limited"}
    assert len(acked) >= 30, "the contract's burst of 30 is always allowed"
    items = client.get(f"/api/v1/boards/{world.meeting['plenary_board']}",
                       headers=world.facilitator.auth).json()["items"]
    assert sorted(item["text"] for item in items if item["text"].startswith("flood ")) == sorted(
        f"flood {op_id}" for op_id in acked)
    # The bucket refills at 20 ops/s: resending the refused op (one answer at a time, polling
    # with a deadline) gets it acknowledged, as if it had never been sent.
    deadline = time.monotonic() + 10
    data = {"kind": "note", "x": 0, "y": 0, "text": f"flood {refused[0]}"}
    while (again := await ws.op(board, "item.create", data, op_id=refused[0]))["type"] == "error":
        assert again["code"] == "rate_limited" and time.monotonic() < deadline
    assert again["result"]["item"]["text"] == f"flood {refused[0]}"
    await ws.close()


# --- invites and codes: not guessable, not enumerable ---------------------------------------


def test_invite_secrets_carry_128_bits_or_more_and_codes_follow_the_contract(client, world):
    secret = new_invite(client, world)["invite"]
    assert len(base64.urlsafe_b64decode(secret + "=" * (-len(secret) % 4))) * 8 >= 128
    code = client.post(f"/api/v1/meetings/{world.meeting['id']}/code",
                       headers=world.facilitator.auth).json()["code"]
    # At least 8 characters of an unambiguous alphabet (no 0/O, 1/I/L).
    assert len(code) >= 8 and code.isalnum() and code.isupper()
    assert not set(code) & set("0O1IL")
    assert set(code) <= set(CODE_ALPHABET) and len(code) * math.log2(len(CODE_ALPHABET)) > 40


def _same_page(text: str) -> str:
    """A page without what differs between any two requests: the CSRF token, and the path
    the visitor typed (where the language switch brings them back)."""
    text = re.sub(r"\b[0-9a-f]{64}\b", "<csrf>", text)
    return re.sub(r'name="next" value="[^"]*"', 'name="next"', text)


def test_unknown_revoked_replaced_and_malformed_invites_answer_identically(app, client, world):
    """Nothing tells a guesser whether a secret ever existed."""
    revoked = new_invite(client, world)
    assert client.delete(f"/api/v1/invites/{revoked['id']}", headers=world.facilitator.auth).status_code == 204
    renewed = new_invite(client, world)
    assert client.post(f"/api/v1/invites/{renewed['id']}/renew", headers=world.facilitator.auth).status_code == 200
    guesses = {
        "unknown": secrets.token_urlsafe(32),
        "revoked": revoked["invite"],
        "replaced by a renewal": renewed["invite"],
        "too short": "abc",
        "too long": "A" * 5000,
        "not base64": "ü‮<script>",
        "percent-encoded": "%3Cb%3E%20x",
    }
    api, pages, posts = {}, {}, {}
    for what, secret in guesses.items():
        guesser = client_from(app, new_address())  # each its own address: no 429 in between
        answer = guesser.post("/api/v1/join", json={"invite": secret})
        api[what] = (answer.status_code, answer.json())
        page = guesser.get(f"/join/{secret}")
        pages[what] = (page.status_code, _same_page(page.text))
        token = token_for(guesser, "/login")
        post = guesser.post(f"/join/{secret}", data={"csrf_token": token}, follow_redirects=False)
        posts[what] = (post.status_code, _same_page(post.text), "tavolo_session" in post.headers.get("set-cookie", ""))
    assert len(set(map(repr, api.values()))) == 1, api
    assert api["unknown"][0] == 404
    assert len(set(map(repr, pages.values()))) == 1
    assert pages["unknown"][0] == 404
    assert len(set(map(repr, posts.values()))) == 1
    assert posts["unknown"][0] == 404 and posts["unknown"][2] is False


def test_unknown_disabled_and_replaced_codes_answer_identically(app, client, world):
    url = f"/api/v1/meetings/{world.meeting['id']}/code"
    replaced = client.post(url, headers=world.facilitator.auth).json()["code"]
    disabled = client.post(url, headers=world.facilitator.auth).json()["code"]
    assert client.delete(url, headers=world.facilitator.auth).status_code in (200, 204)
    answers = set()
    for code in ("BCDFGHJKMN", replaced, disabled, "x", "2" * 500):
        guesser = client_from(app, new_address())
        answer = guesser.post("/api/v1/join", json={"code": code, "name": "Anna",
                                                    "organization": world.organizations["public"]})
        page = guesser.get(f"/code/{code}")
        answers.add((answer.status_code, answer.text, page.status_code, _same_page(page.text)))
    assert len(answers) == 1
    assert next(iter(answers))[0] == 404


# --- session fixation and logout ------------------------------------------------------------


def test_a_session_planted_before_login_is_never_the_session_after(client, make_account):
    staff = make_account()
    client.cookies.set("tavolo_session", "chosen-by-the-attacker")
    old_csrf = token_for(client, "/login")
    answer = sign_in(client, staff.email)
    fresh = answer.cookies.get("tavolo_session")
    assert fresh and fresh != "chosen-by-the-attacker"
    assert client.get("/api/v1/processes", headers={"Authorization": "Bearer chosen-by-the-attacker"}).status_code == 401
    # The CSRF seed is new as well: a token read before signing in no longer works.
    assert answer.cookies.get(CSRF_COOKIE)
    assert client.post("/logout", data={"csrf_token": old_csrf}, follow_redirects=False).status_code == 403
    assert client.get("/processes", follow_redirects=False).status_code == 200


async def test_logout_revokes_the_token_everywhere_and_clears_the_cookie(client, live_server, world):
    sign_in(client, world.facilitator.email)
    token = client.cookies.get("tavolo_session")
    answer = client.post("/logout", data={"csrf_token": token_for(client, "/processes")},
                         follow_redirects=False)
    cleared = next(h for h in answer.headers.get_list("set-cookie") if h.startswith("tavolo_session="))
    assert 'tavolo_session=""' in cleared or "max-age=0" in cleared.lower()
    # Replaying the old cookie: pages send to login, the API refuses, the websocket closes 4401.
    replay = TestClient(client.app, client=(new_address(), 50000), cookies={"tavolo_session": token})
    assert replay.get("/processes", follow_redirects=False).headers["location"].startswith("/login")
    assert_error(replay.get("/api/v1/processes"), 401)
    ws = await Client.open(live_server.ws_url, world.meeting["id"], hello=False,
                           headers={"Cookie": f"tavolo_session={token}"}, origin=live_server.url)
    await ws.send({"type": "hello"})
    assert (await ws.closed()).code == 4401


# --- CSRF: every state-changing page form ---------------------------------------------------


def state_changing_page_routes() -> list[str]:
    """Every non-GET route of every page module: a new form is covered without a new row."""
    found = []
    for module_info in pkgutil.iter_modules(app.pages.__path__):
        module = importlib.import_module(f"app.pages.{module_info.name}")
        # `router`, and any other router of the module (the documents' upload_router).
        for router in (value for value in vars(module).values() if isinstance(value, APIRouter)):
            found += [route.path for route in router.routes
                      if isinstance(route, APIRoute) and route.methods - {"GET", "HEAD"}]
    return sorted(set(found))


def test_the_page_forms_are_found():
    routes = state_changing_page_routes()
    assert {"/login", "/logout", "/processes", "/meetings/{meeting_id}/minutes/approve",
            "/join/{secret}", "/language"} <= set(routes)
    assert len(routes) >= 40


def test_every_state_changing_form_refuses_a_missing_or_forged_csrf_token(client, world, engine, settings):
    sign_in(client, world.facilitator.email)
    client.get("/processes")  # the CSRF cookie of this browser
    seed = client.cookies.get(CSRF_COOKIE)
    values = {"meeting_id": world.meeting["id"], "process_id": world.process,
              "invite_id": world.participant["id"], "organization_id": world.organizations["public"],
              "secret": world.participant["invite"], "code": "BCDFGHJKMN"}
    forged = {
        "missing": None,
        "garbage": "0" * 64,
        "another browser's": csrf_token(settings.secret_key, "another seed"),
        "signed with another key": csrf_token("another key", seed),
    }
    # Fields a real form would send, so that only the token is wrong.
    form = {"title": "Forgiato", "name": "Forgiato", "text": "Forgiato", "email": world.facilitator.email,
            "password": PASSWORD, "lang": "en", "kind": "public", "role": "participant",
            "organization": str(world.organizations["public"]), "starts_at": "2026-12-01T14:00",
            "markdown": "Forgiato", "amount": "1"}
    with nothing_stored(engine, world.process):
        for path in state_changing_page_routes():
            url = re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), 1)), path)
            for what, token in forged.items():
                data = form if token is None else {**form, "csrf_token": token}
                answer = client.post(url, data=data, follow_redirects=False)
                assert answer.status_code == 403, (path, what, answer.status_code)
                assert "CSRF" in answer.text, (path, what)
                assert not any(h.startswith(("tavolo_session=", "tavolo_lang="))
                               for h in answer.headers.get_list("set-cookie")), (path, what)
            # The header form of the token is checked the same way (htmx sends it so).
            answer = client.post(url, data=form, headers={"X-CSRF-Token": forged["another browser's"],
                                                          "HX-Request": "true"})
            assert answer.status_code == 403, (path, "header")
    # The session survived the forged logouts, and the right token still works.
    title = unique("Percorso")
    answer = client.post("/processes", data={"title": title, "kind": "co-design",
                                             "csrf_token": csrf_token(settings.secret_key, seed)},
                         follow_redirects=False)
    assert answer.status_code == 303, answer.text


# --- headers and cookies --------------------------------------------------------------------


def assert_secure_headers(answer, what: str) -> None:
    headers = answer.headers
    policy = headers.get("content-security-policy", "")
    directives = dict((part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";") if part.strip())
    assert directives.get("script-src") == "'self'", (what, policy)
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, (what, policy)
    assert directives.get("frame-ancestors") == "'none'", (what, policy)
    assert directives.get("object-src") == "'none'", (what, policy)
    assert headers.get("x-content-type-options") == "nosniff", what
    assert headers.get("referrer-policy") in ("same-origin", "no-referrer", "strict-origin-when-cross-origin"), what
    assert headers.get("x-frame-options") == "DENY", what


def test_every_kind_of_answer_carries_the_security_headers(settings, world):
    probe = create_app(settings)

    @probe.get("/api/v1/probe-failure")
    def api_failure():
        raise RuntimeError("a bug, on purpose")

    @probe.get("/probe-failure")
    def page_failure():
        raise RuntimeError("a bug, on purpose")

    with TestClient(probe, raise_server_exceptions=False, client=(new_address(), 50000)) as anyone:
        sign_in(anyone, world.facilitator.email)
        kinds = {
            "page": anyone.get(f"/processes/{world.process}"),
            "login page": TestClient(probe).get("/login"),
            "page 404": anyone.get("/no-such-page"),
            "page 403 (CSRF)": anyone.post("/processes", data={"title": "x"}),
            "page 500": anyone.get("/probe-failure"),
            "API 200": anyone.get("/api/v1/processes", headers=world.facilitator.auth),
            "API 401": anyone.get("/api/v1/processes", headers={"Authorization": "Bearer no"}),
            "API 422": anyone.post("/api/v1/processes", headers=world.facilitator.auth, json={}),
            "API 500": anyone.get("/api/v1/probe-failure"),
            "health": anyone.get("/healthz"),
            "static file": anyone.get("/static/board.js"),
            "static 404": anyone.get("/static/no-such-file.js"),
            "API meeting": anyone.get(f"/api/v1/meetings/{world.meeting['id']}", headers=world.facilitator.auth),
        }
    expected = {"page": 200, "login page": 200, "page 404": 404, "page 403 (CSRF)": 403, "page 500": 500,
                "API 200": 200, "API 401": 401, "API 422": 422, "API 500": 500, "health": 200,
                "static file": 200, "static 404": 404, "API meeting": 200}
    assert {what: answer.status_code for what, answer in kinds.items()} == expected
    for what, answer in kinds.items():
        assert_secure_headers(answer, what)
    assert kinds["page 500"].headers["content-type"].startswith("text/html")
    assert "a bug, on purpose" not in kinds["page 500"].text + kinds["API 500"].text


def _cookies(answer) -> dict[str, str]:
    return {h.split("=", 1)[0]: h.lower() for h in answer.headers.get_list("set-cookie")}


@pytest.mark.parametrize("base_url", ["https://tavolo.example.org", "http://tavolo.example.org"])
def test_every_cookie_is_httponly_samesite_lax_and_secure_behind_https(db_url, world, base_url):
    settings = Settings(database_url=db_url, secret_key=secrets.token_urlsafe(32), base_url=base_url)
    set_by = {}
    with TestClient(create_app(settings), base_url=base_url, client=(new_address(), 50000)) as browser:
        page = browser.get("/login")
        set_by.update(_cookies(page))
        set_by.update(_cookies(sign_in(browser, world.facilitator.email)))
        answer = browser.post("/language", data={"lang": "en", "csrf_token": token_for(browser, "/processes")},
                              follow_redirects=False)
        set_by.update(_cookies(answer))
        out = browser.post("/logout", data={"csrf_token": token_for(browser, "/processes")}, follow_redirects=False)
        logout = _cookies(out)
    assert set(set_by) == {"tavolo_session", "tavolo_csrf", "tavolo_lang"}
    for name, header in {**set_by, **logout}.items():
        assert "httponly" in header and "samesite=lax" in header and "path=/" in header, header
        assert ("; secure" in header) == base_url.startswith("https"), header
