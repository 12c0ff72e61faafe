"""boards.recording and boards.meeting_roles: the recording link and each member's consent;
the chair and the minute-taker."""

from __future__ import annotations

import pytest

from boards import audit, meeting_roles, processes, recording
from boards.errors import InvalidInput, NotAllowed
from boards.models import AccountRole
from tests.boards.builders import invited, meeting, organization, process, staff_actor


@pytest.fixture
def place(session):
    facilitator = staff_actor(session)
    percorso = process(session, facilitator)
    ente = organization(session, facilitator, percorso.id)
    first = meeting(session, facilitator, percorso.id)
    _, anna = invited(session, facilitator, percorso.id, ente.id)
    return facilitator, percorso, ente, first, anna


@pytest.mark.parametrize("url", ["https://video.example.org/rec?id=1", "http://10.0.0.5/r"])
def test_web_addresses_are_recording_links(url):
    assert recording.clean_recording_url(f"  {url} ") == url


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/a", "https://",
                                 "video.example.org", "https://a b.org", "data:text/html,x",
                                 "https://" + "a" * 500 + ".org"])
def test_other_text_is_not_a_recording_link(url):
    with pytest.raises(InvalidInput):
        recording.clean_recording_url(url)


def test_setting_and_clearing_the_link_is_audited(session, place):
    facilitator, percorso, _, first, anna = place
    recording.set_recording_url(session, actor=facilitator, meeting_id=first.id,
                                url="https://video.example.org/1")
    assert first.recording_url == "https://video.example.org/1"
    recording.set_recording_url(session, actor=facilitator, meeting_id=first.id, url="")
    assert first.recording_url is None
    entries = audit.entries(session, process_id=percorso.id)
    assert [(e.action, e.detail["url"]) for e in entries[:2]] == [
        ("meeting.recording", None), ("meeting.recording", "https://video.example.org/1")]
    with pytest.raises(NotAllowed):
        recording.set_recording_url(session, actor=anna, meeting_id=first.id, url="https://x.org")


def test_consent_is_asked_once_kept_and_changeable(session, place):
    facilitator, percorso, _, first, anna = place
    assert not recording.needs_answer(session, first, anna.person)  # not recorded
    with pytest.raises(InvalidInput, match="not recorded"):
        recording.answer_consent(session, actor=anna, meeting_id=first.id, consent=True)
    recording.set_recording_url(session, actor=facilitator, meeting_id=first.id,
                                url="https://video.example.org/1")
    assert recording.needs_answer(session, first, anna.person)
    row = recording.answer_consent(session, actor=anna, meeting_id=first.id, consent=False)
    assert not recording.needs_answer(session, first, anna.person)
    again = recording.answer_consent(session, actor=anna, meeting_id=first.id, consent=True)
    assert again.id == row.id and again.consent is True
    entry = audit.entries(session, process_id=percorso.id)[0]
    assert entry.action == "recording.consent" and entry.person_id == anna.person.id
    assert (entry.detail["before_consent"], entry.detail["consent"]) == (False, True)


def test_only_members_of_the_meeting_answer(session, place):
    facilitator, percorso, ente, first, _ = place
    second = meeting(session, facilitator, percorso.id)
    _, limited = invited(session, facilitator, percorso.id, ente.id, meetings=[second.id])
    recording.set_recording_url(session, actor=facilitator, meeting_id=first.id,
                                url="https://video.example.org/1")
    with pytest.raises(NotAllowed):
        recording.answer_consent(session, actor=limited, meeting_id=first.id, consent=True)


def test_chair_and_minute_taker_are_staff_of_the_process(session, place):
    facilitator, percorso, _, first, anna = place
    secretary = staff_actor(session, "secretary", name="Marco Zanin")
    processes.add_staff(session, actor=facilitator, process_id=percorso.id,
                        email=secretary.account.email, role=AccountRole.secretary)
    staff = {p.name: p.id for p in meeting_roles.staff_people(session, percorso.id)}
    assert set(staff) == {"Giulia Ferraro", "Marco Zanin"}
    meeting_roles.set_meeting_roles(session, actor=secretary, meeting_id=first.id,
                                    chair_id=staff["Giulia Ferraro"],
                                    minute_taker_id=staff["Marco Zanin"])
    assert (first.chair_id, first.minute_taker_id) == (staff["Giulia Ferraro"], staff["Marco Zanin"])
    entry = audit.entries(session, process_id=percorso.id)[0]
    assert entry.action == "meeting.roles" and entry.detail["before_chair"] is None
    outsider = staff_actor(session)
    other = process(session, outsider)
    foreign = meeting_roles.staff_people(session, other.id)[0]
    for chair, minute_taker in [(anna.person.id, None), (None, anna.person.id),
                                (foreign.id, None), (2**40, None)]:
        with pytest.raises(InvalidInput, match="facilitator or secretary"):
            meeting_roles.set_meeting_roles(session, actor=facilitator, meeting_id=first.id,
                                            chair_id=chair, minute_taker_id=minute_taker)
    with pytest.raises(NotAllowed):
        meeting_roles.set_meeting_roles(session, actor=anna, meeting_id=first.id,
                                        chair_id=None, minute_taker_id=None)
