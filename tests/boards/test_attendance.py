"""boards.attendance: who is expected, staff corrections (proxy rules, a whole body, people
present in the room, audit entries) and the rows by organisation."""

from __future__ import annotations

import pytest

from boards import attendance, audit, invites, processes
from boards.clock import utcnow
from boards.errors import InvalidInput, NotAllowed
from boards.models import (
    AccountRole,
    Attendance,
    AttendanceStatus,
    MeetingState,
    OrganizationKind,
    PersonRole,
    RecordingConsent,
)
from tests.boards.builders import invited, meeting, organization, process, staff_actor


@pytest.fixture
def place(session):
    facilitator = staff_actor(session)
    percorso = process(session, facilitator)
    ente = organization(session, facilitator, percorso.id)
    first = meeting(session, facilitator, percorso.id)
    _, anna = invited(session, facilitator, percorso.id, ente.id)
    _, paolo = invited(session, facilitator, percorso.id, ente.id)
    return facilitator, percorso, ente, first, anna.person, paolo.person


def correct(session, actor, first, person, status, **fields):
    return attendance.correct_attendance(session, actor=actor, meeting_id=first.id,
                                         person_id=person.id, status=status, **fields)


def test_a_proxy_is_recorded_with_whom_it_stands_for_and_audited(session, place):
    facilitator, percorso, _, first, anna, paolo = place
    record = correct(session, facilitator, first, anna, AttendanceStatus.proxy,
                     proxy_for=paolo.id, note="Delega scritta del 20/11")
    assert (record.status, record.proxy_for) == (AttendanceStatus.proxy, paolo.id)
    assert record.corrected_by == facilitator.account.id and record.corrected_at is not None
    entry = audit.entries(session, process_id=percorso.id)[0]
    assert entry.action == "attendance.correct" and entry.account_id == facilitator.account.id
    assert entry.target == f"meeting:{first.id}"
    assert entry.detail == {"person": anna.id, "status": "proxy", "proxy_for": paolo.id,
                            "note": "Delega scritta del 20/11", "before_status": None,
                            "before_proxy_for": None, "before_note": ""}
    session.flush()
    correct(session, facilitator, first, anna, AttendanceStatus.absent)
    latest = audit.entries(session, process_id=percorso.id)[0]
    assert latest.detail["before_status"] == "proxy" and latest.detail["status"] == "absent"
    assert latest.detail["before_proxy_for"] == paolo.id
    assert record.proxy_for is None


def test_proxy_rules(session, place):
    facilitator, percorso, _, first, anna, paolo = place
    outsider = staff_actor(session)
    other = process(session, outsider)
    _, stranger = invited(session, outsider, other.id,
                          organization(session, outsider, other.id).id)
    for status, fields, message in [
        (AttendanceStatus.proxy, {}, "proxy_for"),
        (AttendanceStatus.proxy, {"proxy_for": anna.id}, "own proxy"),
        (AttendanceStatus.proxy, {"proxy_for": stranger.person.id}, "proxy_for"),
        (AttendanceStatus.proxy, {"proxy_for": 2**40}, "proxy_for"),
        (AttendanceStatus.present, {"proxy_for": paolo.id}, "only goes with"),
        (AttendanceStatus.excused, {"note": "x" * 2001}, "note"),
    ]:
        with pytest.raises(InvalidInput, match=message):
            correct(session, facilitator, first, anna, status, **fields)
    with pytest.raises(InvalidInput, match="not part of this process"):
        correct(session, facilitator, first, stranger.person, AttendanceStatus.present)
    assert [e.action for e in audit.entries(session, process_id=percorso.id)].count(
        "attendance.correct") == 0


def test_present_in_the_room_starts_when_the_meeting_did(session, place):
    facilitator, _, _, first, anna, paolo = place
    before = utcnow()
    assert correct(session, facilitator, first, anna, AttendanceStatus.present).joined_at >= before
    first.state, first.started_at = MeetingState.live, utcnow().replace(microsecond=0)
    assert correct(session, facilitator, first, paolo,
                   AttendanceStatus.present).joined_at == first.started_at


def test_secretaries_correct_participants_do_not(session, place):
    facilitator, percorso, ente, first, anna, _ = place
    secretary = staff_actor(session, "secretary")
    processes.add_staff(session, actor=facilitator, process_id=percorso.id,
                        email=secretary.account.email, role=AccountRole.secretary)
    assert correct(session, secretary, first, anna, AttendanceStatus.excused).status == "excused"
    _, participant = invited(session, facilitator, percorso.id, ente.id)
    with pytest.raises(NotAllowed):
        correct(session, participant, first, anna, AttendanceStatus.present)
    with pytest.raises(NotAllowed):
        attendance.attendance_list(session, actor=participant, meeting_id=first.id)


def test_who_is_expected(session, place):
    facilitator, percorso, ente, first, anna, paolo = place
    second = meeting(session, facilitator, percorso.id)
    later, _ = invited(session, facilitator, percorso.id, ente.id, meetings=[second.id])
    revoked, _ = invited(session, facilitator, percorso.id, ente.id, role=PersonRole.observer)
    invites.revoke_invite(session, actor=facilitator, invite_id=revoked.invite.id)
    code = invites.set_join_code(session, actor=facilitator, meeting_id=first.id)
    session.flush()
    guest = invites.join_with_code(session, code=code, name="Ospite", days=1,
                                   organization_id=ente.id).person
    session.flush()
    staff_person = attendance.expected_people(session, first)[0]
    assert staff_person.role == PersonRole.facilitator
    expected = {p.id for p in attendance.expected_people(session, first)}
    assert expected == {staff_person.id, anna.id, paolo.id, guest.id}
    assert {p.id for p in attendance.expected_people(session, second)} == {
        staff_person.id, anna.id, paolo.id, later.person.id}
    # Someone recorded at a meeting is listed even when not expected there.
    session.add(Attendance(meeting_id=second.id, person_id=guest.id, joined_at=utcnow()))
    session.flush()
    assert guest.id in {p.id for p in attendance.expected_people(session, second)}
    rows = attendance.attendance_list(session, actor=facilitator, meeting_id=second.id)
    assert {r["participant"]: r["status"] for r in rows}[guest.id] == "present"
    assert {r["participant"]: r["status"] for r in rows}[anna.id] == "absent"


def test_a_proxy_may_stand_for_someone_of_another_body(session, place):
    facilitator, percorso, _, first, anna, _ = place
    comune = organization(session, facilitator, percorso.id, kind=OrganizationKind.public)
    _, sindaco = invited(session, facilitator, percorso.id, comune.id)
    correct(session, facilitator, first, anna, AttendanceStatus.proxy, proxy_for=sindaco.person.id)
    session.flush()
    rows = {r["participant"]: r for r in attendance.meeting_rows(session, first)}
    assert rows[anna.id]["proxy_for"] == sindaco.person.id
    assert rows[sindaco.person.id]["represented_by"] == [anna.id]


def test_a_whole_body_absent_or_excused(session, place):
    facilitator, percorso, ente, first, anna, paolo = place
    comune = organization(session, facilitator, percorso.id, kind=OrganizationKind.public)
    _, sindaco = invited(session, facilitator, percorso.id, comune.id)
    correct(session, facilitator, first, anna, AttendanceStatus.proxy, proxy_for=paolo.id)
    session.flush()
    records = attendance.mark_organization(session, actor=facilitator, meeting_id=first.id,
                                           organization_id=ente.id,
                                           status=AttendanceStatus.excused, note="Assemblea")
    assert {r.person_id for r in records} == {anna.id, paolo.id}
    assert all(r.status == AttendanceStatus.excused and r.proxy_for is None and r.note == "Assemblea"
               for r in records)
    rows = {r["participant"]: r for r in attendance.meeting_rows(session, first)}
    assert rows[sindaco.person.id]["status"] == "absent"  # another body, untouched
    entry = audit.entries(session, process_id=percorso.id)[0]
    assert entry.action == "attendance.organization" and entry.detail["organization"] == ente.id
    assert entry.detail["people"] == [anna.id, paolo.id]
    assert entry.detail["before_status"] == ["proxy", None]
    for status in (AttendanceStatus.present, AttendanceStatus.proxy):
        with pytest.raises(InvalidInput, match="absent or excused"):
            attendance.mark_organization(session, actor=facilitator, meeting_id=first.id,
                                         organization_id=ente.id, status=status)
    empty = organization(session, facilitator, percorso.id)
    with pytest.raises(InvalidInput, match="Nobody of"):
        attendance.mark_organization(session, actor=facilitator, meeting_id=first.id,
                                     organization_id=empty.id, status=AttendanceStatus.absent)
    _, participant = invited(session, facilitator, percorso.id, ente.id)
    with pytest.raises(NotAllowed):
        attendance.mark_organization(session, actor=participant, meeting_id=first.id,
                                     organization_id=ente.id, status=AttendanceStatus.absent)


def test_someone_present_in_the_room(session, place):
    facilitator, percorso, ente, first, _, _ = place
    record = attendance.add_in_room(session, actor=facilitator, meeting_id=first.id,
                                    name="  Rosa   Neri ", organization_name="Auser Padova",
                                    title="Presidente", note="Foglio firme")
    assert record.in_person and record.status == AttendanceStatus.present
    assert record.joined_at is not None and record.corrected_by == facilitator.account.id
    row = {r["participant"]: r for r in attendance.meeting_rows(session, first)}[record.person_id]
    assert row["name"] == "Rosa Neri" and row["title"] == "Presidente" and row["in_person"]
    assert row["organization_kind"] == "other"
    auser = processes.get_organization(session, row["organization"])
    assert auser.needs_review and auser.name == "Auser Padova"
    # The same name again is the same organisation; an existing one by id.
    again = attendance.add_in_room(session, actor=facilitator, meeting_id=first.id,
                                   name="Luca Verdi", organization_name="auser padova")
    assert processes.get_organization(session, row["organization"]).id == auser.id
    assert {r["participant"]: r for r in attendance.meeting_rows(session, first)}[
        again.person_id]["organization"] == auser.id
    entry = audit.entries(session, process_id=percorso.id)[0]
    assert entry.action == "attendance.add" and entry.detail["name"] == "Luca Verdi"
    with pytest.raises(InvalidInput, match="organisation"):
        attendance.add_in_room(session, actor=facilitator, meeting_id=first.id, name="Senza ente")
    with pytest.raises(InvalidInput, match="name"):
        attendance.add_in_room(session, actor=facilitator, meeting_id=first.id, name=" ",
                               organization_id=ente.id)


def test_rows_by_organisation_public_bodies_first_staff_last(session, place):
    facilitator, percorso, ente, first, anna, _ = place
    comune = organization(session, facilitator, percorso.id, kind=OrganizationKind.public,
                          name="Comune di Crema")
    invited(session, facilitator, percorso.id, comune.id)
    session.add(RecordingConsent(meeting_id=first.id, person_id=anna.id, consent=True))
    session.flush()
    groups = attendance.attendance_by_organization(session, actor=facilitator, meeting_id=first.id)
    assert [g["organization"].id if g["organization"] else None for g in groups] == [
        comune.id, ente.id, None]
    assert groups[2]["rows"][0]["role"] == "facilitator"
    consent = {r["participant"]: r["recording_consent"] for r in groups[1]["rows"]}
    assert consent[anna.id] is True and list(consent.values()).count(None) == 1
