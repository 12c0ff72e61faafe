"""Organisations (enti) of a process: create, and the PATCH extension."""

from __future__ import annotations

import pytest

from tests.api.support import assert_error, bearer, nothing_stored
from tests.conftest import unique


@pytest.fixture
def world(shared_world):
    """The tests of this module only add to the world, so they share one."""
    return shared_world


def organizations(client, world) -> dict[int, dict]:
    body = client.get(f"/api/v1/processes/{world.process}", headers=world.facilitator.auth).json()
    return {o["id"]: o for o in body["organizations"]}


def add(client, world, staff=None, **body):
    staff = staff or world.facilitator
    return client.post(f"/api/v1/processes/{world.process}/organizations", headers=staff.auth,
                       json={"name": unique("Ente"), "kind": "third_sector", **body})


def test_staff_add_organisations_of_every_kind(client, world):
    for kind in ("public", "health", "third_sector", "other"):
        name = unique(f"Ente {kind}")
        answer = add(client, world, world.secretary, name=name, kind=kind)
        assert answer.status_code == 201
        body = answer.json()
        assert body == {"id": body["id"], "name": name, "kind": kind, "ats_lead": False,
                        "needs_review": False}
        assert organizations(client, world)[body["id"]] == body


def test_invalid_organisations_are_422_and_store_nothing(client, world, engine):
    with nothing_stored(engine, world.process):
        for body, word in [
            ({"kind": "public"}, "name"),
            ({"name": "Ente"}, "kind"),
            ({"name": "Ente", "kind": "private"}, "kind"),
            ({"name": " \t ", "kind": "public"}, "name"),
            ({"name": "x" * 201, "kind": "public"}, "name"),
            ({"name": "Ente", "kind": "public", "ats_lead": "forse"}, "ats_lead"),
        ]:
            answer = client.post(f"/api/v1/processes/{world.process}/organizations",
                                 headers=world.facilitator.auth, json=body)
            assert_error(answer, 422, word)


def test_a_name_is_used_once_per_process(client, world, engine):
    with nothing_stored(engine, world.process):
        assert_error(add(client, world, name="cooperativa il ponte"), 409, "already exists")


def test_the_same_name_in_another_process_is_fine(client, world, make_account):
    stranger = make_account()
    other = client.post("/api/v1/processes", headers=stranger.auth,
                        json={"title": "Altro", "kind": "co-design"}).json()["id"]
    answer = client.post(f"/api/v1/processes/{other}/organizations", headers=stranger.auth,
                         json={"name": "Cooperativa Il Ponte", "kind": "third_sector"})
    assert answer.status_code == 201


def test_names_are_cleaned(client, world):
    body = add(client, world, name="  Cooperativa\u202e   sociale  Percorsi ").json()
    assert body["name"] == "Cooperativa sociale Percorsi"


def test_an_ats_has_one_lead_partner(client, world):
    first = add(client, world, ats_lead=True).json()
    second = add(client, world, ats_lead=True).json()
    leads = [o["id"] for o in organizations(client, world).values() if o["ats_lead"]]
    assert leads == [second["id"]]
    assert first["id"] != second["id"]
    answer = client.patch(f"/api/v1/organizations/{first['id']}", headers=world.facilitator.auth,
                          json={"ats_lead": True})
    assert answer.json()["ats_lead"] is True
    leads = [o["id"] for o in organizations(client, world).values() if o["ats_lead"]]
    assert leads == [first["id"]]


def test_unknown_process_is_404(client, world):
    answer = client.post("/api/v1/processes/999999999/organizations",
                         headers=world.facilitator.auth, json={"name": "A", "kind": "public"})
    assert_error(answer, 404)


def test_participants_may_not_add_organisations(client, world, engine):
    with nothing_stored(engine, world.process):
        answer = client.post(f"/api/v1/processes/{world.process}/organizations",
                             headers=bearer(world.participant["token"]),
                             json={"name": "Ente", "kind": "public"})
        assert_error(answer, 403, "staff")


# --- PATCH /organizations/{id} -----------------------------------------------------------


def test_staff_rename_reclassify_and_review(client, world):
    code = client.post(f"/api/v1/meetings/{world.meeting['id']}/code",
                       headers=world.facilitator.auth).json()["code"]
    joined = client.post("/api/v1/join", json={"code": code, "name": "Anna",
                                               "organization_name": unique("Ass. Casa")}).json()
    made = joined["participant"]["organization"]
    assert organizations(client, world)[made]["needs_review"] is True
    answer = client.patch(f"/api/v1/organizations/{made}", headers=world.secretary.auth,
                          json={"name": "Associazione Casa Aperta APS", "kind": "third_sector",
                                "reviewed": True})
    assert answer.status_code == 200
    assert answer.json() == {"id": made, "name": "Associazione Casa Aperta APS",
                             "kind": "third_sector", "ats_lead": False, "needs_review": False}
    assert organizations(client, world)[made] == answer.json()


def test_patch_errors(client, world, engine):
    url = f"/api/v1/organizations/{world.organizations['public']}"
    with nothing_stored(engine, world.process):
        assert_error(client.patch(url, headers=world.facilitator.auth,
                                  json={"name": "ULSS 6 EUGANEA"}), 409)
        assert_error(client.patch(url, headers=world.facilitator.auth, json={"name": ""}), 422)
        assert_error(client.patch(url, headers=world.facilitator.auth, json={"kind": "x"}), 422)
        assert_error(client.patch("/api/v1/organizations/999999999",
                                  headers=world.facilitator.auth, json={"name": "A"}), 404)
        assert_error(client.patch(url, headers=bearer(world.observer["token"]),
                                  json={"name": "A"}), 403)
