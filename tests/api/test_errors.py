"""The error shape of the whole API: a status and `{"detail": "<string>"}`, nothing else needed.

401 missing or invalid credentials, 403 not allowed, 404 unknown, 422 invalid input,
429 too many failed attempts; 409 (an extension) for a conflict; never a bare 500.
"""

from __future__ import annotations

import secrets

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import IntegrityError

from app.main import create_app
from app.settings import Settings
from tests.api.support import assert_error, bearer, client_from


@pytest.fixture
def world(shared_world):
    """The tests of this module only add to the world, so they share one."""
    return shared_world


def test_401_without_credentials_names_the_problem(client, world):
    answer = client.get(f"/api/v1/processes/{world.process}")
    assert assert_error(answer, 401) == "Sign in first: no valid token or session was sent"
    assert answer.headers["www-authenticate"] == "Bearer"
    assert set(answer.json()) == {"detail"}


def test_401_before_anything_else(client, world):
    """Without credentials, nothing about the resource or the body is revealed."""
    assert_error(client.get("/api/v1/processes/999999999"), 401)
    assert_error(client.post(f"/api/v1/processes/{world.process}/organizations",
                             json={"kind": "bogus"}), 401)
    assert_error(client.post(f"/api/v1/processes/{world.process}/organizations",
                             headers=bearer("forged"), json={}), 401)


def test_errors_speak_the_callers_language(client, world):
    url = f"/api/v1/meetings/{world.meeting['id']}"
    assert assert_error(client.get(url, headers={"Accept-Language": "it"}), 401) == (
        "Accedi prima di continuare: non è stato inviato un token o una sessione valida")
    assert assert_error(client.get(url, headers={"Accept-Language": "de, en;q=0.5"}), 401) == (
        "Sign in first: no valid token or session was sent")
    # Italian when nothing matches: the default of a tool for Italian administrations.
    assert assert_error(client.get(url, headers={"Accept-Language": "fr"}), 401).startswith(
        "Accedi")


def test_403_for_signed_in_callers_without_the_right(client, world):
    answer = client.post(f"/api/v1/processes/{world.process}/organizations",
                         headers=bearer(world.observer["token"]),
                         json={"name": "Ente", "kind": "public"})
    assert assert_error(answer, 403) == "Only the staff of this process may do this"
    assert "www-authenticate" not in answer.headers


def test_404_for_unknown_resources_and_routes(client, world):
    assert assert_error(client.get("/api/v1/meetings/999999999", headers=world.facilitator.auth),
                        404) == "Meeting 999999999 does not exist"
    assert assert_error(client.get("/api/v1/nothing-here", headers=world.facilitator.auth),
                        404) == "Not found"
    assert_error(client.get("/api/v2/processes"), 404)


@pytest.mark.parametrize("huge", [2**31, 2**63, 10**30])
def test_ids_beyond_the_database_integers_are_unknown_not_a_crash(client, world, huge):
    auth = world.facilitator.auth
    assert_error(client.get(f"/api/v1/processes/{huge}", headers=auth), 404)
    assert_error(client.get(f"/api/v1/meetings/{huge}", headers=auth), 404)
    assert_error(client.get(f"/api/v1/boards/{huge}", headers=auth), 404)
    assert_error(client.delete(f"/api/v1/invites/{huge}", headers=auth), 404)
    assert_error(client.patch(f"/api/v1/organizations/{huge}", headers=auth, json={}), 404)
    assert_error(client.post(f"/api/v1/processes/{world.process}/invites", headers=auth,
                             json={"name": "A", "organization": huge, "role": "observer"}), 422)
    assert_error(client.patch(f"/api/v1/meetings/{world.meeting['id']}/attendance", headers=auth,
                              json={"participant": huge, "status": "present"}), 422)


def test_405_for_a_method_the_path_does_not_have(client):
    answer = client.put("/api/v1/session", json={})
    assert assert_error(answer, 405) == "Method not allowed"
    assert "POST" in answer.headers["allow"]


def test_422_for_validation_errors_is_one_string_plus_field_details(client, world):
    answer = client.post(f"/api/v1/processes/{world.process}/meetings",
                         headers=world.facilitator.auth,
                         json={"title": "Incontro", "mode": "telepathy", "agenda": "uno"})
    detail = assert_error(answer, 422, "mode", "starts_at", "agenda")
    assert detail.startswith("Invalid input: ")
    errors = answer.json()["errors"]
    assert {tuple(e["loc"]) for e in errors} == {
        ("body", "starts_at"), ("body", "mode"), ("body", "agenda")}
    assert all(isinstance(e["msg"], str) and e["msg"] for e in errors)


@pytest.mark.parametrize("content", [b"{not json", b"", b"[1, 2]", b"null", b'"text"'])
def test_422_for_bodies_that_are_not_a_json_object(client, content):
    answer = client.post("/api/v1/session", content=content,
                         headers={"content-type": "application/json"})
    assert_error(answer, 422)


def test_422_for_bad_path_and_query_values(client, world):
    assert_error(client.get("/api/v1/meetings/primo", headers=world.facilitator.auth), 422,
                 "meeting_id")


def test_422_from_the_domain_has_the_same_shape(client, world):
    answer = client.post(f"/api/v1/processes/{world.process}/organizations",
                         headers=world.facilitator.auth, json={"name": "  ", "kind": "public"})
    assert assert_error(answer, 422) == "The field 'name' must not be empty"
    assert set(answer.json()) == {"detail"}


def test_409_for_a_conflict(client, world):
    answer = client.post(f"/api/v1/processes/{world.process}/organizations",
                         headers=world.facilitator.auth,
                         json={"name": "Comune di Padova", "kind": "public"})
    assert assert_error(answer, 409) == "An organisation named Comune di Padova already exists"


def test_429_for_too_many_failed_attempts(app):
    client = client_from(app, f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.7")
    for _ in range(10):
        client.post("/api/v1/join", json={"invite": "wrong"})
    answer = client.post("/api/v1/join", json={"invite": "wrong"})
    assert assert_error(answer, 429) == "Too many failed attempts: try again in a few minutes"


def test_text_with_nul_characters_is_never_a_server_error(client, world):
    """PostgreSQL refuses NUL in text: it must be cleaned or refused before a query."""
    auth = world.facilitator.auth
    answer = client.post(f"/api/v1/processes/{world.process}/organizations", headers=auth,
                         json={"name": "Ente\x00 nullo", "kind": "public"})
    assert answer.status_code == 201 and answer.json()["name"] == "Ente nullo"
    assert_error(client.post("/api/v1/session", json={"email": "\x00", "password": "\x00"}), 401)
    assert_error(client.post(f"/api/v1/processes/{world.process}/staff", headers=auth,
                             json={"email": "x\x00@example.org", "role": "secretary"}), 422)
    assert_error(client.post("/api/v1/join", json={"invite": "\x00"}), 404)
    assert_error(client.get("/api/v1/processes", headers=bearer("to\x00ken")), 401)


# --- the server's own failures -----------------------------------------------------------


@pytest.fixture
def failing_app(settings):
    """The real app with two routes that fail the way bugs and races do."""
    app = create_app(settings)

    @app.get("/api/v1/test-failure")
    def failure() -> dict:
        raise RuntimeError("a bug")

    @app.get("/api/v1/test-race")
    def race() -> dict:
        raise IntegrityError("INSERT ...", {}, Exception("duplicate key"))

    yield app
    app.state.services.db.dispose()


def test_an_unexpected_error_is_a_500_with_a_detail(failing_app):
    client = TestClient(failing_app, raise_server_exceptions=False,
                        headers={"Accept-Language": "en"})
    answer = client.get("/api/v1/test-failure")
    detail = assert_error(answer, 500)
    assert "a bug" not in detail  # no internals in the answer; they go to the log


def test_a_lost_race_on_a_unique_constraint_is_a_409(failing_app):
    client = TestClient(failing_app, raise_server_exceptions=False,
                        headers={"Accept-Language": "en"})
    assert_error(client.get("/api/v1/test-race"), 409, "reload")


# --- health --------------------------------------------------------------------------------


def test_healthz(client):
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok"}


def test_healthz_says_when_the_database_does_not_answer(tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    settings = Settings(database_url=f"sqlite:///{blocker}/tavolo.db", data_dir=tmp_path,
                        secret_key=secrets.token_urlsafe(32), base_url="http://testserver")
    answer = TestClient(create_app(settings)).get("/healthz")
    assert answer.status_code == 503
    body = answer.json()
    assert body["status"] == "unavailable"
    assert isinstance(body["detail"], str) and body["detail"]
