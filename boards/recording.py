"""The recording of a meeting: its link, set by staff, and each member's consent to being
recorded (consenso alla registrazione), asked before they take part and kept, changeable.

The room asks for the answer the first time a member enters a meeting that has a recording
link (app/pages/meetings.py); API clients answer with `PUT /api/v1/meetings/{id}/consent`.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlmodel import Session, select

from boards import audit
from boards.access import Actor, require_meeting_member, require_staff
from boards.clock import utcnow
from boards.errors import InvalidInput
from boards.meetings import get_meeting
from boards.models import Meeting, Person, RecordingConsent
from boards.text import clean_text

# The column's length.
URL_LIMIT = 500


def clean_recording_url(value: str | None) -> str | None:
    """An http(s) address with a host, or None for an empty value. Raises InvalidInput."""
    value = clean_text(value or "", field="recording_url", limit=URL_LIMIT, required=False)
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or any(
        ch.isspace() for ch in value
    ):
        raise InvalidInput("The recording link must be a web address starting with https:// or http://",
                           field="recording_url")
    return value


def set_recording_url(session: Session, *, actor: Actor, meeting_id: int, url: str | None) -> Meeting:
    """Set or clear the meeting's recording link. Raises NotAllowed, InvalidInput."""
    meeting = get_meeting(session, meeting_id)
    require_staff(session, actor, meeting.process_id)
    before, meeting.recording_url = meeting.recording_url, clean_recording_url(url)
    session.add(meeting)
    if before != meeting.recording_url:
        audit.record(session, actor=actor, action="meeting.recording", process_id=meeting.process_id,
                     target=f"meeting:{meeting.id}", url=meeting.recording_url, before_url=before)
    return meeting


def consent_of(session: Session, meeting_id: int, person_id: int) -> RecordingConsent | None:
    return session.exec(
        select(RecordingConsent).where(
            RecordingConsent.meeting_id == meeting_id, RecordingConsent.person_id == person_id
        )
    ).first()


def needs_answer(session: Session, meeting: Meeting, person: Person) -> bool:
    """Whether this person must be asked before taking part: the meeting is recorded and
    they have not answered yet."""
    return bool(meeting.recording_url) and consent_of(session, meeting.id, person.id) is None


def answer_consent(session: Session, *, actor: Actor, meeting_id: int, consent: bool) -> RecordingConsent:
    """The member's own answer, for this meeting; a new answer replaces the old one.

    Raises NotAllowed unless the actor may take part in the meeting, InvalidInput when the
    meeting has no recording link.
    """
    meeting = get_meeting(session, meeting_id)
    person = require_meeting_member(session, actor, meeting)
    if not meeting.recording_url:
        raise InvalidInput("This meeting is not recorded: there is nothing to consent to")
    row = consent_of(session, meeting.id, person.id)
    before = row.consent if row else None
    if row is None:
        row = RecordingConsent(meeting_id=meeting.id, person_id=person.id, consent=consent)
    row.consent, row.at = consent, utcnow()
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="recording.consent", process_id=meeting.process_id,
                 target=f"meeting:{meeting.id}", person=person.id, consent=consent,
                 before_consent=before)
    return row
