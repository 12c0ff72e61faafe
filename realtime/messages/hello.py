"""`hello` → `welcome`: who is connecting, and what they may subscribe to.

Runs in a worker thread with its own session; raises `Refused` with the close code.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from app.i18n import DEFAULT_LANGUAGE, LANGUAGES
from boards.access import may_attend, person_in_process
from boards.accounts import resolve_token
from boards.errors import NotAuthenticated
from boards.items import is_id, may_read_board
from boards.models import Board, Meeting, Organization, Person
from realtime.errors import Close
from realtime.identity import Identity
from realtime.streams import MEETING, StreamName


class Refused(Exception):
    def __init__(self, code: Close, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class Welcome:
    identity: Identity
    frame: dict


def readable_streams(session: Session, person: Person, meeting: Meeting) -> list[str]:
    boards = session.exec(select(Board).where(Board.meeting_id == meeting.id).order_by(Board.id))
    return [MEETING] + [StreamName("board", b.id).wire for b in boards if may_read_board(session, person, b)]


def streams_of(session: Session, *, identity: Identity) -> list[str]:
    """What `welcome.streams` lists for this person now (after a placement in a group)."""
    return readable_streams(session, session.get(Person, identity.person_id),
                            session.get(Meeting, identity.meeting_id))


def authenticate(session: Session, *, meeting_id: int, token: str, lang: str | None) -> Welcome:
    """The welcome for this token at this meeting. Raises Refused (4401 or 4403)."""
    try:
        actor = resolve_token(session, token)
    except NotAuthenticated:
        raise Refused(Close.UNAUTHORIZED, "invalid or expired token") from None
    meeting = session.get(Meeting, meeting_id) if is_id(meeting_id) else None
    if meeting is None:
        raise Refused(Close.FORBIDDEN, "no such meeting")
    person = person_in_process(session, actor, meeting.process_id)
    if person is None or not may_attend(session, actor, person, meeting):
        raise Refused(Close.FORBIDDEN, "not a member of this meeting")
    if lang not in LANGUAGES:
        lang = actor.lang if actor.lang in LANGUAGES else DEFAULT_LANGUAGE
    identity = Identity(person_id=person.id, name=person.name, organization_id=person.organization_id,
                        role=person.role, meeting_id=meeting.id, lang=lang)
    organization = session.get(Organization, person.organization_id) if person.organization_id else None
    frame = {
        "type": "welcome",
        "participant": {"id": person.id, "name": person.name, "organization": person.organization_id,
                        "role": person.role.value},
        "meeting": {"id": meeting.id, "title": meeting.title, "state": meeting.state.value},
        "streams": readable_streams(session, person, meeting),
    }
    if organization is not None:
        frame["participant"]["organization_name"] = organization.name
    return Welcome(identity=identity, frame=frame)
