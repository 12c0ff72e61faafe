"""Processes: create, read, list, staff, thematic tables, steering committee, audit log."""

from __future__ import annotations

import pytest

from tests.api.support import assert_error, bearer, nothing_stored
from tests.conftest import unique


@pytest.fixture
def world(shared_world):
    """The tests of this module only add to the world, so they share one."""
    return shared_world

P = "/api/v1/processes"


def create(client, staff, **body) -> dict:
    answer = client.post(P, headers=staff.auth,
                         json={"title": unique("Percorso"), "kind": "co-design", **body})
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_a_facilitator_creates_a_process_and_becomes_its_staff(client, make_account):
    facilitator = make_account("facilitator", name="Giulia Ferraro")
    answer = client.post(P, headers=facilitator.auth, json={
        "title": "Piano di Zona 2027", "kind": "co-programming",
        "description": "Lettura condivisa dei bisogni\ndell'Ambito.",
        "administration": "Comune di Pavia", "rup_name": "dott. Rossi"})
    assert answer.status_code == 201
    body = answer.json()
    assert isinstance(body["id"], int)
    assert body["title"] == "Piano di Zona 2027"
    assert body["kind"] == "co-programming"
    assert body["description"] == "Lettura condivisa dei bisogni\ndell'Ambito."
    assert body["administration"] == "Comune di Pavia"
    [staff] = body["staff"]
    assert staff["account"] == facilitator.id
    assert staff["role"] == "facilitator"
    assert staff["name"] == "Giulia Ferraro"
    assert body["people"] == [{"id": staff["person"], "name": "Giulia Ferraro",
                               "organization": None, "role": "facilitator"}]
    assert client.get(f"{P}/{body['id']}", headers=facilitator.auth).json() == body
    listed = client.get(P, headers=facilitator.auth).json()
    assert {"id": body["id"], "title": "Piano di Zona 2027", "kind": "co-programming"} in listed


def test_description_is_optional(client, make_account):
    body = create(client, make_account())
    assert body["description"] == ""
    assert body["organizations"] == [] and body["meetings"] == []


def test_a_secretary_account_may_not_create_processes(client, make_account, engine):
    secretary = make_account("secretary")
    with nothing_stored(engine):
        assert_error(client.post(P, headers=secretary.auth,
                                 json={"title": "Percorso", "kind": "co-design"}), 403,
                     "facilitator")


def test_invalid_processes_are_422_and_store_nothing(client, make_account, engine):
    facilitator = make_account()
    with nothing_stored(engine):
        for body, word in [
            ({"kind": "co-design"}, "title"),
            ({"title": "Percorso"}, "kind"),
            ({"title": "Percorso", "kind": "hackathon"}, "kind"),
            ({"title": "   ", "kind": "co-design"}, "title"),
            ({"title": "\u202e\u2066", "kind": "co-design"}, "title"),
            ({"title": "x" * 201, "kind": "co-design"}, "title"),
            ({"title": "Percorso", "kind": "co-design", "description": "x" * 10_001},
             "description"),
            ({"title": 12, "kind": "co-design"}, "title"),
        ]:
            assert_error(client.post(P, headers=facilitator.auth, json=body), 422, word)


def test_texts_are_cleaned(client, make_account):
    body = create(client, make_account(), title="  Centro \u202eservizi\u202c   diurno ",
                  description="riga uno\r\nriga due\x07")
    assert body["title"] == "Centro servizi diurno"
    assert body["description"] == "riga uno\nriga due"


def test_reading_a_process(client, world, make_account):
    answer = client.get(f"{P}/{world.process}", headers=bearer(world.participant["token"]))
    assert answer.status_code == 200
    body = answer.json()
    assert body["id"] == world.process
    assert {"id": world.meeting["id"], "number": 1, "title": "Primo incontro",
            "state": "scheduled", "starts_at": "2026-12-01T14:00:00Z"} in body["meetings"]
    names = {p["name"]: p for p in body["people"]}
    assert names["Persona participant"]["role"] == "participant"
    assert names["Persona observer"]["organization"] == world.organizations["public"]
    assert_error(client.get(f"{P}/{world.process}", headers=make_account().auth), 403, "member")
    assert_error(client.get(f"{P}/999999999", headers=world.facilitator.auth), 404, "999999999")
    assert_error(client.get(f"{P}/{2**63}", headers=world.facilitator.auth), 404)
    assert_error(client.get(f"{P}/abc", headers=world.facilitator.auth), 422, "process_id")


def test_list_shows_only_the_callers_processes(client, world, make_account):
    assert [p["id"] for p in client.get(P, headers=bearer(world.observer["token"])).json()] == [
        world.process]
    assert world.process in [p["id"] for p in client.get(P, headers=world.secretary.auth).json()]
    assert client.get(P, headers=make_account().auth).json() == []


# --- staff --------------------------------------------------------------------------------


def test_staff_have_a_person_id_and_join_every_meeting(client, world):
    body = client.get(f"{P}/{world.process}", headers=world.facilitator.auth).json()
    staff = {s["account"]: s for s in body["staff"]}
    secretary = staff[world.secretary.id]
    assert secretary["role"] == "secretary" and secretary["name"] == "Marco Zanin"
    people = {p["id"]: p for p in body["people"]}
    assert people[secretary["person"]] == {"id": secretary["person"], "name": "Marco Zanin",
                                           "organization": None, "role": "secretary"}
    later = client.post(f"{P}/{world.process}/meetings", headers=world.facilitator.auth, json={
        "title": "Dopo", "starts_at": "2027-01-01T10:00:00Z", "mode": "online", "agenda": []},
    ).json()
    for meeting in (world.meeting["id"], later["id"]):
        assert client.get(f"/api/v1/meetings/{meeting}",
                          headers=world.secretary.auth).status_code == 200


def test_a_second_facilitator_can_add_staff_too(client, world, make_account):
    colleague = make_account("facilitator", name="Elena Moretti")
    answer = client.post(f"{P}/{world.process}/staff", headers=world.facilitator.auth,
                         json={"email": colleague.email.upper(), "role": "facilitator"})
    assert answer.status_code == 201
    body = answer.json()
    assert body["account"] == colleague.id and body["role"] == "facilitator"
    assert isinstance(body["person"], int)
    third = make_account("secretary")
    assert client.post(f"{P}/{world.process}/staff", headers=colleague.auth,
                       json={"email": third.email, "role": "secretary"}).status_code == 201


def test_a_facilitator_account_may_be_secretary_of_a_process(client, world, make_account):
    colleague = make_account("facilitator")
    client.post(f"{P}/{world.process}/staff", headers=world.facilitator.auth,
                json={"email": colleague.email, "role": "secretary"})
    other = make_account("secretary")
    # As secretary of this process, they may not add staff.
    assert_error(client.post(f"{P}/{world.process}/staff", headers=colleague.auth,
                             json={"email": other.email, "role": "secretary"}), 403)


def test_staff_errors(client, world, make_account, engine):
    secretary = make_account("secretary")
    url = f"{P}/{world.process}/staff"
    auth = world.facilitator.auth
    with nothing_stored(engine, world.process):
        assert_error(client.post(url, headers=auth,
                                 json={"email": secretary.email, "role": "facilitator"}),
                     422, "secretary")
        assert_error(client.post(url, headers=auth, json={
            "email": f"{unique('nobody')}@example.org", "role": "secretary"}), 404, "account")
        assert_error(client.post(url, headers=auth, json={"email": "not an email",
                                                           "role": "secretary"}), 422, "email")
        assert_error(client.post(url, headers=auth, json={"email": "a\x00@example.org",
                                                           "role": "secretary"}), 422, "email")
        assert_error(client.post(url, headers=auth, json={"email": secretary.email,
                                                           "role": "participant"}), 422, "role")
        assert_error(client.post(url, headers=auth, json={"email": world.secretary.email,
                                                           "role": "secretary"}), 409, "already")
        assert_error(client.post(f"{P}/999999999/staff", headers=auth,
                                 json={"email": secretary.email, "role": "secretary"}), 404)
        assert_error(client.post(url, headers=world.secretary.auth,
                                 json={"email": secretary.email, "role": "secretary"}), 403)


# --- thematic tables and the steering committee (extensions) -----------------------------


def test_thematic_tables(client, world, engine):
    answer = client.post(f"{P}/{world.process}/tables", headers=world.secretary.auth,
                         json={"title": "Salute e dipendenze", "description": "Con l'ULSS"})
    assert answer.status_code == 201
    table = answer.json()
    assert table["title"] == "Salute e dipendenze" and table["description"] == "Con l'ULSS"
    body = client.get(f"{P}/{world.process}", headers=world.facilitator.auth).json()
    assert table in body["thematic_tables"]
    with nothing_stored(engine, world.process):
        assert_error(client.post(f"{P}/{world.process}/tables", headers=world.facilitator.auth,
                                 json={"title": ""}), 422, "title")


def test_steering_committee(client, world, make_account, engine):
    answer = client.post(f"{P}/{world.process}/steering", headers=world.facilitator.auth, json={
        "name": "Sara Greco", "position": "Componente (capofila ATS)",
        "organization": world.organizations["third_sector"], "started_on": "2026-10-01"})
    assert answer.status_code == 201
    member = answer.json()
    body = client.get(f"{P}/{world.process}", headers=world.facilitator.auth).json()
    assert {"id": member["id"], "name": "Sara Greco", "position": "Componente (capofila ATS)",
            "organization": world.organizations["third_sector"], "started_on": "2026-10-01",
            "ended_on": None} in body["steering_committee"]
    stranger = make_account()
    other = create(client, stranger)["id"]
    foreign = client.post(f"{P}/{other}/organizations", headers=stranger.auth,
                          json={"name": "Altro", "kind": "public"}).json()["id"]
    url = f"{P}/{world.process}/steering"
    with nothing_stored(engine, world.process):
        assert_error(client.post(url, headers=world.facilitator.auth, json={
            "name": "A", "started_on": "2026-10-01", "ended_on": "2026-09-01"}), 422, "date")
        assert_error(client.post(url, headers=world.facilitator.auth,
                                 json={"name": "A", "organization": foreign}), 422, "organisation")
        assert_error(client.post(url, headers=world.facilitator.auth,
                                 json={"name": "A", "started_on": "ieri"}), 422, "started_on")


# --- audit log (extension) ---------------------------------------------------------------


def test_the_audit_log_records_who_changed_what(client, world):
    name = unique("Ente")
    client.post(f"{P}/{world.process}/organizations", headers=world.secretary.auth,
                json={"name": name, "kind": "health"})
    entries = client.get(f"{P}/{world.process}/audit", headers=world.secretary.auth).json()
    # Newest first: the organisation just added, back to the creation of the process.
    newest = entries[0]
    assert newest["action"] == "organization.add"
    assert newest["account"] == world.secretary.id and newest["person"] is None
    assert newest["detail"] == {"name": name, "kind": "health"}
    assert newest["target"].startswith("organization:")
    assert entries[-1]["action"] == "process.create"
    assert entries[-1]["account"] == world.facilitator.id
    staff = [e for e in entries if e["action"] == "staff.add"]
    assert {"email": world.secretary.email, "role": "secretary"} in [e["detail"] for e in staff]
    actions = {e["action"] for e in entries}
    assert {"join.invite", "invite.create", "meeting.create"} <= actions
    assert [e["at"] for e in entries] == sorted((e["at"] for e in entries), reverse=True)
