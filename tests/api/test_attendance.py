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
    assert entry["detail"] == {"person": world.participant["person"], "before": None,
                               "status": "excused", "proxy_for": None,
                               "note": "Malattia, avvisato via email"}


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
    assert entry["detail"]["before"] == "proxy" and entry["detail"]["status"] == "absent"


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
