"""GET/PATCH /api/v1/meetings/{id}/attendance: who was expected and came, and staff corrections."""

from __future__ import annotations

from sqlmodel import Session

from boards.clock import utcnow
from boards.models import Attendance, AttendanceStatus
from tests.api.support import assert_error, bearer, nothing_stored
from tests.conftest import unique

ROW_KEYS = {"participant", "name", "organization", "role", "joined_at", "left_at", "status"}


def url(world, meeting_id: int | None = None) -> str:
    return f"/api/v1/meetings/{meeting_id or world.meeting['id']}/attendance"


def rows(client, world, meeting_id: int | None = None) -> dict[int, dict]:
    answer = client.get(url(world, meeting_id), headers=world.facilitator.auth)
    assert answer.status_code == 200, answer.text
    return {row["participant"]: row for row in answer.json()}


def staff_people(client, world) -> dict[int, int]:
    body = client.get(f"/api/v1/processes/{world.process}", headers=world.facilitator.auth).json()
    return {s["account"]: s["person"] for s in body["staff"]}


def test_the_list_has_staff_and_invited_people_absent_until_they_come(client, world):
    listed = rows(client, world)
    staff = staff_people(client, world)
    assert set(listed) == {staff[world.facilitator.id], staff[world.secretary.id],
                           world.participant["person"], world.observer["person"]}
    participant = listed[world.participant["person"]]
    assert ROW_KEYS <= set(participant)
    assert participant["name"] == "Persona participant"
    assert participant["organization"] == world.organizations["third_sector"]
    assert participant["role"] == "participant"
    assert participant["status"] == "absent"
    assert participant["joined_at"] is None and participant["left_at"] is None
    assert listed[world.observer["person"]]["role"] == "observer"


def test_people_who_joined_with_the_code_are_listed(client, world):
    code = client.post(f"/api/v1/meetings/{world.meeting['id']}/code",
                       headers=world.facilitator.auth).json()["code"]
    joined = client.post("/api/v1/join", json={"code": code, "name": "Ospite",
                                               "organization_name": unique("Ass.")}).json()
    listed = rows(client, world)
    assert listed[joined["participant"]["id"]]["name"] == "Ospite"
    # ... at that meeting only.
    other = client.post(f"/api/v1/processes/{world.process}/meetings",
                        headers=world.facilitator.auth,
                        json={"title": "Dopo", "starts_at": "2027-01-01T10:00:00Z",
                              "mode": "online", "agenda": []}).json()
    assert joined["participant"]["id"] not in rows(client, world, other["id"])


def test_invites_for_other_meetings_and_revoked_invites_are_not_expected(client, world):
    other = client.post(f"/api/v1/processes/{world.process}/meetings",
                        headers=world.facilitator.auth,
                        json={"title": "Dopo", "starts_at": "2027-01-01T10:00:00Z",
                              "mode": "online", "agenda": []}).json()
    limited = client.post(f"/api/v1/processes/{world.process}/invites",
                          headers=world.facilitator.auth,
                          json={"name": "Solo dopo", "organization": world.organizations["health"],
                                "role": "participant", "meetings": [other["id"]]}).json()
    revoked = client.post(f"/api/v1/processes/{world.process}/invites",
                          headers=world.facilitator.auth,
                          json={"name": "Revocata", "organization": world.organizations["health"],
                                "role": "participant"}).json()
    client.delete(f"/api/v1/invites/{revoked['id']}", headers=world.facilitator.auth)
    assert limited["person"] not in rows(client, world)
    assert limited["person"] in rows(client, world, other["id"])
    assert revoked["person"] not in rows(client, world)


def test_live_attendance_shows_times(client, world, engine):
    joined, left = utcnow().replace(microsecond=0), utcnow().replace(microsecond=0)
    with Session(engine) as session:
        session.add(Attendance(meeting_id=world.meeting["id"], person_id=world.observer["person"],
                               joined_at=joined, left_at=left))
        session.commit()
    row = rows(client, world)[world.observer["person"]]
    assert row["status"] == "present"
    assert row["joined_at"] == joined.isoformat().replace("+00:00", "Z")
    assert row["left_at"] == left.isoformat().replace("+00:00", "Z")


def test_staff_correct_attendance_and_the_audit_log_records_it(client, world):
    answer = client.patch(url(world), headers=world.secretary.auth, json={
        "participant": world.participant["person"], "status": "excused",
        "note": "Malattia, avvisato via email"})
    assert answer.status_code == 200
    row = {r["participant"]: r for r in answer.json()}[world.participant["person"]]
    assert row["status"] == "excused" and row["note"] == "Malattia, avvisato via email"
    assert rows(client, world)[world.participant["person"]]["status"] == "excused"
    entry = client.get(f"/api/v1/processes/{world.process}/audit",
                       headers=world.facilitator.auth).json()[0]
    assert entry["action"] == "attendance.correct"
    assert entry["account"] == world.secretary.id
    assert entry["target"] == f"meeting:{world.meeting['id']}"
    assert entry["detail"] == {"person": world.participant["person"], "status": "excused",
                               "proxy_for": None, "note": "Malattia, avvisato via email",
                               "before_status": None, "before_proxy_for": None,
                               "before_note": ""}


def test_present_in_the_room_gets_a_joined_time(client, world):
    body = client.patch(url(world), headers=world.facilitator.auth,
                        json={"participant": world.observer["person"], "status": "present"}).json()
    row = {r["participant"]: r for r in body}[world.observer["person"]]
    assert row["status"] == "present" and row["joined_at"] is not None


def test_a_proxy_names_whom_it_stands_for(client, world):
    second = client.post(f"/api/v1/processes/{world.process}/invites",
                         headers=world.facilitator.auth,
                         json={"name": "Delegante", "role": "participant",
                               "organization": world.organizations["third_sector"]}).json()
    body = client.patch(url(world), headers=world.facilitator.auth, json={
        "participant": world.participant["person"], "status": "proxy",
        "proxy_for": second["person"], "note": "Delega scritta"}).json()
    row = {r["participant"]: r for r in body}[world.participant["person"]]
    assert row["status"] == "proxy" and row["proxy_for"] == second["person"]
    # Correcting again replaces the record; the audit keeps what it was.
    client.patch(url(world), headers=world.facilitator.auth,
                 json={"participant": world.participant["person"], "status": "absent"})
    assert rows(client, world)[world.participant["person"]]["proxy_for"] is None
    entry = client.get(f"/api/v1/processes/{world.process}/audit",
                       headers=world.facilitator.auth).json()[0]
    assert entry["detail"]["before_status"] == "proxy" and entry["detail"]["status"] == "absent"
    assert entry["detail"]["before_proxy_for"] == second["person"]
    assert entry["detail"]["before_note"] == "Delega scritta"


def test_invalid_corrections_are_422_and_store_nothing(client, world, engine, make_account):
    stranger = make_account()
    other = client.post("/api/v1/processes", headers=stranger.auth,
                        json={"title": "Altro", "kind": "co-design"}).json()["id"]
    foreign = client.get(f"/api/v1/processes/{other}", headers=stranger.auth).json()["people"][0]
    me = world.participant["person"]
    with nothing_stored(engine, world.process, other):
        for body, word in [
            ({"participant": me, "status": "proxy"}, "proxy_for"),
            ({"participant": me, "status": "proxy", "proxy_for": me}, "own"),
            ({"participant": me, "status": "proxy", "proxy_for": foreign["id"]}, "proxy_for"),
            ({"participant": me, "status": "proxy", "proxy_for": 2**40}, "proxy_for"),
            ({"participant": me, "status": "absent", "proxy_for": world.observer["person"]},
             "proxy_for"),
            ({"participant": foreign["id"], "status": "present"}, "not part"),
            ({"participant": 999999999, "status": "present"}, "not part"),
            ({"participant": me, "status": "late"}, "status"),
            ({"participant": me}, "status"),
            ({"status": "present"}, "participant"),
            ({"participant": me, "status": "excused", "note": "x" * 2001}, "note"),
        ]:
            assert_error(client.patch(url(world), headers=world.facilitator.auth, json=body),
                         422, word)


def test_only_staff_see_and_correct_attendance(client, world, engine):
    for token in (world.participant["token"], world.observer["token"]):
        assert_error(client.get(url(world), headers=bearer(token)), 403)
        with nothing_stored(engine, world.process):
            assert_error(client.patch(url(world), headers=bearer(token), json={
                "participant": world.participant["person"], "status": "present"}), 403)
    assert_error(client.get("/api/v1/meetings/999999999/attendance",
                            headers=world.facilitator.auth), 404)
    assert_error(client.patch("/api/v1/meetings/999999999/attendance",
                              headers=world.facilitator.auth,
                              json={"participant": world.participant["person"],
                                    "status": "present"}), 404)


def test_status_values_are_the_contracts(client, world):
    for status in AttendanceStatus:
        if status is AttendanceStatus.proxy:
            continue
        body = client.patch(url(world), headers=world.facilitator.auth,
                            json={"participant": world.observer["person"],
                                  "status": status.value}).json()
        row = {r["participant"]: r for r in body}[world.observer["person"]]
        assert row["status"] == status.value


# --- extensions: a whole body, people present in the room, consent to recording -----------


def test_rows_carry_the_extra_keys(client, world):
    row = rows(client, world)[world.participant["person"]]
    assert row["organization_name"] == "Cooperativa Il Ponte"
    assert row["organization_kind"] == "third_sector"
    assert row["in_person"] is False and row["recording_consent"] is None
    assert row["represented_by"] == [] and row["title"] == ""


def test_a_proxy_across_organisations_shows_on_both_rows(client, world):
    client.patch(url(world), headers=world.secretary.auth, json={
        "participant": world.participant["person"], "status": "proxy",
        "proxy_for": world.observer["person"]})
    listed = rows(client, world)
    assert listed[world.participant["person"]]["proxy_for"] == world.observer["person"]
    assert listed[world.observer["person"]]["represented_by"] == [world.participant["person"]]


def test_a_whole_organisation_is_excused_and_audited(client, world):
    second = client.post(f"/api/v1/processes/{world.process}/invites",
                         headers=world.facilitator.auth,
                         json={"name": "Seconda", "role": "participant",
                               "organization": world.organizations["third_sector"]}).json()
    answer = client.patch(f"{url(world)}/organizations/{world.organizations['third_sector']}",
                          headers=world.secretary.auth,
                          json={"status": "excused", "note": "Assemblea dei soci"})
    assert answer.status_code == 200, answer.text
    listed = {r["participant"]: r for r in answer.json()}
    for person in (world.participant["person"], second["person"]):
        assert listed[person]["status"] == "excused"
        assert listed[person]["note"] == "Assemblea dei soci"
    assert listed[world.observer["person"]]["status"] == "absent"  # another body, untouched
    entry = client.get(f"/api/v1/processes/{world.process}/audit",
                       headers=world.facilitator.auth).json()[0]
    assert entry["action"] == "attendance.organization"
    assert entry["detail"]["organization"] == world.organizations["third_sector"]
    assert sorted(entry["detail"]["people"]) == sorted([world.participant["person"], second["person"]])


def test_a_whole_organisation_refuses_other_statuses_and_bodies(client, world, engine, make_account):
    stranger = make_account()
    other = client.post("/api/v1/processes", headers=stranger.auth,
                        json={"title": "Altro", "kind": "co-design"}).json()["id"]
    foreign = client.post(f"/api/v1/processes/{other}/organizations", headers=stranger.auth,
                          json={"name": "Altro ente", "kind": "other"}).json()["id"]
    body_url = f"{url(world)}/organizations"
    with nothing_stored(engine, world.process, other):
        for target, body, word in [
            (world.organizations["public"], {"status": "present"}, "absent or excused"),
            (world.organizations["public"], {"status": "proxy"}, "absent or excused"),
            (foreign, {"status": "absent"}, "not part"),
            (2**40, {"status": "absent"}, "not part"),
            # Nobody of the health authority is invited.
            (world.organizations["health"], {"status": "absent"}, "nobody"),
        ]:
            assert_error(client.patch(f"{body_url}/{target}", headers=world.facilitator.auth,
                                      json=body), 422, word)


def test_someone_present_in_the_room(client, world, engine):
    answer = client.post(url(world), headers=world.secretary.auth, json={
        "name": "Rosa Neri", "organization_name": "Associazione Auser", "title": "Presidente",
        "joined_at": "2026-12-01T14:20:00Z", "note": "Firma sul foglio presenze"})
    assert answer.status_code == 201, answer.text
    row = answer.json()
    assert row["name"] == "Rosa Neri" and row["status"] == "present" and row["in_person"]
    assert row["title"] == "Presidente" and row["joined_at"] == "2026-12-01T14:20:00Z"
    assert row["organization_kind"] == "other"
    organizations = client.get(f"/api/v1/processes/{world.process}",
                               headers=world.facilitator.auth).json()["organizations"]
    auser = next(o for o in organizations if o["name"] == "Associazione Auser")
    assert auser["needs_review"] is True and row["organization"] == auser["id"]
    assert rows(client, world)[row["participant"]]["in_person"] is True
    # An existing organisation, arriving now.
    second = client.post(url(world), headers=world.facilitator.auth, json={
        "name": "Luca Verdi", "organization": world.organizations["public"]}).json()
    assert second["organization"] == world.organizations["public"] and second["joined_at"]
    entry = client.get(f"/api/v1/processes/{world.process}/audit",
                       headers=world.facilitator.auth).json()[0]
    assert entry["action"] == "attendance.add" and entry["detail"]["name"] == "Luca Verdi"


def test_someone_in_the_room_needs_name_and_organisation(client, world, engine):
    with nothing_stored(engine, world.process):
        for body, word in [
            ({"name": "", "organization": world.organizations["public"]}, "name"),
            ({"name": "Rosa Neri"}, "organisation"),
            ({"name": "Rosa Neri", "organization": 2**40}, "not part"),
            ({"name": "Rosa", "organization": world.organizations["public"], "joined_at": "ieri"},
             "joined_at"),
            ({"name": "x" * 201, "organization": world.organizations["public"]}, "name"),
        ]:
            assert_error(client.post(url(world), headers=world.facilitator.auth, json=body),
                         422, word)


def test_consent_to_recording(client, world, engine):
    consent_url = f"/api/v1/meetings/{world.meeting['id']}/consent"
    me = bearer(world.participant["token"])
    with nothing_stored(engine, world.process):
        assert_error(client.put(consent_url, headers=me, json={"consent": True}), 422, "not recorded")
    with Session(engine) as session:
        from boards.models import Meeting

        meeting = session.get(Meeting, world.meeting["id"])
        meeting.recording_url = "https://video.example.org/1"
        session.add(meeting)
        session.commit()
    answer = client.put(consent_url, headers=me, json={"consent": False})
    assert answer.status_code == 200, answer.text
    assert answer.json()["consent"] is False and answer.json()["participant"] == world.participant["person"]
    assert rows(client, world)[world.participant["person"]]["recording_consent"] is False
    client.put(consent_url, headers=me, json={"consent": True})
    assert rows(client, world)[world.participant["person"]]["recording_consent"] is True
    entry = client.get(f"/api/v1/processes/{world.process}/audit",
                       headers=world.facilitator.auth).json()[0]
    assert entry["action"] == "recording.consent"
    assert (entry["detail"]["before_consent"], entry["detail"]["consent"]) == (False, True)
    assert_error(client.put(consent_url, headers=me, json={"consent": "forse"}), 422)
    assert_error(client.put(consent_url, json={"consent": True}), 401)


def test_only_staff_correct_bodies_and_add_people(client, world, engine):
    for token in (world.participant["token"], world.observer["token"]):
        with nothing_stored(engine, world.process):
            assert_error(client.post(url(world), headers=bearer(token), json={
                "name": "Intruso", "organization": world.organizations["public"]}), 403)
            assert_error(client.patch(
                f"{url(world)}/organizations/{world.organizations['public']}",
                headers=bearer(token), json={"status": "absent"}), 403)
