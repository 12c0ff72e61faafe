"""Personal invites: create, list, renew, revoke; their secrets and the tokens they give."""

from __future__ import annotations

import string

import pytest
from sqlmodel import Session, select

from boards.models import Invite
from boards.secrets import digest
from tests.api.support import assert_error, assert_not_stored, bearer, nothing_stored


@pytest.fixture
def world(shared_world):
    """The tests of this module only add to the world, so they share one."""
    return shared_world


def invite(client, world, staff=None, **extra):
    staff = staff or world.facilitator
    body = {"name": "Davide Rinaldi", "organization": world.organizations["third_sector"],
            "role": "participant", **extra}
    return client.post(f"/api/v1/processes/{world.process}/invites", headers=staff.auth, json=body)


def test_staff_invite_a_person_of_an_organisation(client, world, settings):
    answer = invite(client, world, world.secretary, name="Davide Rinaldi",
                    email="Davide.Rinaldi@Example.org")
    assert answer.status_code == 201
    body = answer.json()
    assert set(body) >= {"id", "person", "invite", "url"}
    assert body["url"] == f"{settings.base_url}/join/{body['invite']}"
    process = client.get(f"/api/v1/processes/{world.process}", headers=world.facilitator.auth)
    people = {p["id"]: p for p in process.json()["people"]}
    assert people[body["person"]] == {"id": body["person"], "name": "Davide Rinaldi",
                                      "organization": world.organizations["third_sector"],
                                      "role": "participant"}
    listed = client.get(f"/api/v1/processes/{world.process}/invites",
                        headers=world.secretary.auth).json()
    mine = next(i for i in listed if i["id"] == body["id"])
    assert mine["person"] == body["person"] and mine["name"] == "Davide Rinaldi"
    assert mine["meetings"] is None and mine["revoked_at"] is None
    assert body["invite"] not in str(listed)


def test_the_secret_has_at_least_128_bits_and_only_its_hash_is_stored(client, world, engine):
    body = invite(client, world).json()
    secret = body["invite"]
    # URL-safe base64: 22 characters carry 128 bits.
    assert len(secret) >= 22
    assert set(secret) <= set(string.ascii_letters + string.digits + "-_")
    secrets_seen = {invite(client, world).json()["invite"] for _ in range(5)}
    assert len(secrets_seen) == 5
    with Session(engine) as session:
        stored = session.exec(select(Invite).where(Invite.id == body["id"])).one()
        assert stored.secret_hash == digest(secret)
    token = client.post("/api/v1/join", json={"invite": secret}).json()["token"]
    assert len(token) >= 22
    assert_not_stored(engine, secret)
    assert_not_stored(engine, token)


def test_an_invite_may_be_limited_to_some_meetings(client, world):
    body = invite(client, world, meetings=[world.meeting["id"], world.meeting["id"]]).json()
    assert body["meetings"] == [world.meeting["id"]]


def test_invalid_invites_are_422_and_store_nothing(client, world, engine, make_account):
    stranger = make_account()
    other = client.post("/api/v1/processes", headers=stranger.auth,
                        json={"title": "Altro", "kind": "co-design"}).json()["id"]
    foreign_org = client.post(f"/api/v1/processes/{other}/organizations", headers=stranger.auth,
                              json={"name": "Altro ente", "kind": "public"}).json()["id"]
    foreign_meeting = client.post(f"/api/v1/processes/{other}/meetings", headers=stranger.auth,
                                  json={"title": "Altro", "starts_at": "2027-01-01T10:00:00Z",
                                        "mode": "online", "agenda": []}).json()["id"]
    with nothing_stored(engine, world.process, other):
        for extra, word in [
            ({"role": "facilitator"}, "participant"),
            ({"role": "secretary"}, "participant"),
            ({"role": "guest"}, "role"),
            ({"organization": foreign_org}, "organisation"),
            ({"organization": 999999999}, "organisation"),
            ({"organization": None}, "organization"),
            ({"meetings": [foreign_meeting]}, "meeting"),
            ({"meetings": [world.meeting["id"], 2**40]}, "meeting"),
            ({"meetings": []}, "meeting"),
            ({"email": "not-an-email"}, "email"),
            ({"email": "a\x00b@example.org"}, "email"),
            ({"name": "  "}, "name"),
            ({"name": "x" * 201}, "name"),
        ]:
            assert_error(invite(client, world, **extra), 422, word)
        assert_error(client.post("/api/v1/processes/999999999/invites",
                                 headers=world.facilitator.auth,
                                 json={"name": "A", "organization": 1, "role": "observer"}), 404)


# --- revoking and renewing -----------------------------------------------------------------


def test_revoking_ends_the_invite_and_its_tokens(client, world, engine):
    body = invite(client, world).json()
    tokens = [client.post("/api/v1/join", json={"invite": body["invite"]}).json()["token"]
              for _ in range(2)]
    answer = client.delete(f"/api/v1/invites/{body['id']}", headers=world.secretary.auth)
    assert answer.status_code == 204 and answer.content == b""
    for token in tokens:
        assert_error(client.get(f"/api/v1/meetings/{world.meeting['id']}", headers=bearer(token)),
                     401)
    with nothing_stored(engine, world.process):
        assert_error(client.post("/api/v1/join", json={"invite": body["invite"]}), 404)
    listed = client.get(f"/api/v1/processes/{world.process}/invites",
                        headers=world.facilitator.auth).json()
    assert next(i for i in listed if i["id"] == body["id"])["revoked_at"] is not None
    # Others' invites keep working.
    assert client.get(f"/api/v1/meetings/{world.meeting['id']}",
                      headers=bearer(world.participant["token"])).status_code == 200


def test_revoking_twice_is_harmless(client, world):
    body = invite(client, world).json()
    for _ in range(2):
        assert client.delete(f"/api/v1/invites/{body['id']}",
                             headers=world.facilitator.auth).status_code == 204


def test_revoke_errors(client, world, engine, make_account):
    body = invite(client, world).json()
    stranger = make_account()
    with nothing_stored(engine, world.process):
        assert_error(client.delete("/api/v1/invites/999999999", headers=world.facilitator.auth),
                     404, "invite")
        assert_error(client.delete(f"/api/v1/invites/{body['id']}",
                                   headers=bearer(world.participant["token"])), 403)
        assert_error(client.delete(f"/api/v1/invites/{body['id']}",
                                   headers=stranger.auth), 403)
    assert client.post("/api/v1/join", json={"invite": body["invite"]}).status_code == 200


def test_renewing_replaces_the_link(client, world):
    body = invite(client, world).json()
    old_token = client.post("/api/v1/join", json={"invite": body["invite"]}).json()["token"]
    answer = client.post(f"/api/v1/invites/{body['id']}/renew", headers=world.secretary.auth)
    assert answer.status_code == 200
    renewed = answer.json()
    assert renewed["id"] == body["id"] and renewed["person"] == body["person"]
    assert renewed["invite"] != body["invite"]
    assert renewed["url"].endswith(renewed["invite"])
    assert_error(client.post("/api/v1/join", json={"invite": body["invite"]}), 404)
    assert_error(client.get("/api/v1/processes", headers=bearer(old_token)), 401)
    joined = client.post("/api/v1/join", json={"invite": renewed["invite"]}).json()
    assert joined["participant"]["id"] == body["person"]


def test_a_revoked_invite_cannot_be_renewed(client, world, engine):
    body = invite(client, world).json()
    client.delete(f"/api/v1/invites/{body['id']}", headers=world.facilitator.auth)
    with nothing_stored(engine, world.process):
        assert_error(client.post(f"/api/v1/invites/{body['id']}/renew",
                                 headers=world.facilitator.auth), 422, "revoked")
        assert_error(client.post("/api/v1/invites/999999999/renew",
                                 headers=world.facilitator.auth), 404)
