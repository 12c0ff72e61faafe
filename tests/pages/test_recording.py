"""The set-up page's chair, minute-taker and recording link, and the consent question asked
before entering a recorded meeting's room."""

from __future__ import annotations

from sqlmodel import Session, select

from boards.models import Meeting, RecordingConsent
from tests.pages.conftest import post_form, sign_in, token_for


def setup_path(world) -> str:
    return f"/meetings/{world.meeting['id']}/setup"


def staff_people(client, world) -> dict[int, int]:
    body = client.get(f"/api/v1/processes/{world.process}", headers=world.facilitator.auth).json()
    return {s["account"]: s["person"] for s in body["staff"]}


def set_record(client, world, **values):
    return post_form(client, f"/meetings/{world.meeting['id']}/record",
                     {"chair": "", "minute_taker": "", "recording_url": "", **values},
                     page=setup_path(world), htmx=True)


def test_choosing_chair_minute_taker_and_recording(facilitator_client, world, engine):
    people = staff_people(facilitator_client, world)
    page = facilitator_client.get(setup_path(world)).text
    assert "Presidente, segretario verbalizzante e registrazione" in page
    assert "Marco Zanin" in page  # the secretary is a choice
    answer = set_record(facilitator_client, world, chair=str(people[world.facilitator.id]),
                        minute_taker=str(people[world.secretary.id]),
                        recording_url="https://video.example.org/rec/1")
    assert answer.status_code == 200, answer.text
    assert "<html" not in answer.text and "salvati" in answer.text
    with Session(engine) as session:
        meeting = session.get(Meeting, world.meeting["id"])
        assert meeting.chair_id == people[world.facilitator.id]
        assert meeting.minute_taker_id == people[world.secretary.id]
        assert meeting.recording_url == "https://video.example.org/rec/1"
    audit = facilitator_client.get(f"/api/v1/processes/{world.process}/audit",
                                   headers=world.facilitator.auth).json()
    assert {"meeting.roles", "meeting.recording"} <= {entry["action"] for entry in audit[:2]}


def test_only_staff_and_web_addresses(facilitator_client, world, engine):
    for values, words in [
        ({"chair": str(world.participant["person"])}, "facilitatore o un segretario"),
        ({"recording_url": "javascript:alert(1)"}, "https://"),
        ({"recording_url": "ftp://example.org/x"}, "https://"),
    ]:
        answer = set_record(facilitator_client, world, **values)
        assert answer.status_code == 422 and words in answer.text, answer.text
    with Session(engine) as session:
        meeting = session.get(Meeting, world.meeting["id"])
        assert meeting.chair_id is None and meeting.recording_url is None


def test_a_recorded_meeting_asks_consent_before_the_room(client, facilitator_client, world, engine):
    set_record(facilitator_client, world, recording_url="https://video.example.org/rec/2")
    client.cookies.clear()
    client.cookies.set("tavolo_session", world.participant["token"])
    room = f"/meetings/{world.meeting['id']}/room"
    question = client.get(room)
    assert question.status_code == 200
    assert "Questo incontro è registrato" in question.text and 'value="yes"' in question.text
    assert 'id="board"' not in question.text
    token = token_for(client, room)
    refused = client.post(f"/meetings/{world.meeting['id']}/consent",
                          data={"csrf_token": token, "consent": "maybe"})
    assert refused.status_code == 422 and 'role="alert"' in refused.text
    answer = client.post(f"/meetings/{world.meeting['id']}/consent",
                         data={"csrf_token": token, "consent": "no"}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == room
    assert "Questo incontro è registrato" not in client.get(room).text
    # The answer can be changed; staff see it on the attendance page.
    assert "La tua risposta attuale: no." in client.get(
        f"/meetings/{world.meeting['id']}/consent").text
    client.post(f"/meetings/{world.meeting['id']}/consent",
                data={"csrf_token": token, "consent": "yes"})
    with Session(engine) as session:
        row = session.exec(select(RecordingConsent).where(
            RecordingConsent.person_id == world.participant["person"])).one()
        assert row.consent is True
    client.cookies.clear()
    sign_in(client, world.facilitator.email)
    attendance = client.get(f"/meetings/{world.meeting['id']}/attendance")
    assert "Consenso alla registrazione" in attendance.text and "Nessuna risposta" in attendance.text


def test_the_code_page_says_the_meeting_is_recorded(client, world, engine):
    code = client.post(f"/api/v1/meetings/{world.meeting['id']}/code",
                       headers=world.facilitator.auth).json()["code"]
    assert "è registrato" not in client.get(f"/code/{code}").text
    with Session(engine) as session:
        meeting = session.get(Meeting, world.meeting["id"])
        meeting.recording_url = "https://video.example.org/rec/3"
        session.add(meeting)
        session.commit()
    assert "Questo incontro è registrato: prima di partecipare" in client.get(f"/code/{code}").text
