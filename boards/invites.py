"""Personal invites into a process and meeting join codes, and joining with either."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from boards import audit
from boards.access import Actor, require_staff
from boards.accounts import issue_token, normalise_email
from boards.clock import utcnow
from boards.errors import InvalidInput, NotFound
from boards.ids import fetch
from boards.models import (
    AuthToken,
    Invite,
    JoinCode,
    Meeting,
    MeetingState,
    Organization,
    OrganizationKind,
    Person,
    PersonRole,
)
from boards.processes import organization_of_process
from boards.secrets import digest, new_code, new_token, normalise_code
from boards.text import clean_name

INVITABLE_ROLES = {PersonRole.participant, PersonRole.observer}


@dataclass
class NewInvite:
    invite: Invite
    person: Person
    secret: str


@dataclass
class Joined:
    token: str
    person: Person
    meeting_id: int | None


def create_invite(
    session: Session,
    *,
    actor: Actor,
    process_id: int,
    name: str,
    organization_id: int,
    role: PersonRole,
    email: str | None = None,
    meetings: list[int] | None = None,
) -> NewInvite:
    """Make a person of the process and their invite. Raises NotAllowed, InvalidInput."""
    require_staff(session, actor, process_id)
    if role not in INVITABLE_ROLES:
        raise InvalidInput("An invite is for a participant or an observer")
    organization_of_process(session, process_id, organization_id)
    if email:
        email = normalise_email(email)
    if meetings is not None:
        if not meetings:
            raise InvalidInput("Choose at least one meeting, or leave 'meetings' out for all")
        meetings = sorted(set(meetings))
        known = set(session.exec(select(Meeting.id).where(Meeting.process_id == process_id)))
        unknown = [m for m in meetings if m not in known]
        if unknown:
            raise InvalidInput("Meeting {id} is not part of this process", id=unknown[0])
    person = Person(
        process_id=process_id,
        name=clean_name(name, field="name"),
        organization_id=organization_id,
        role=role,
        email=email or None,
    )
    session.add(person)
    session.flush()
    secret = new_token()
    invite = Invite(
        process_id=process_id,
        person_id=person.id,
        secret_hash=digest(secret),
        email=email or None,
        meetings=meetings,
        created_by=actor.account.id,
    )
    session.add(invite)
    session.flush()
    audit.record(session, actor=actor, action="invite.create", process_id=process_id,
                 target=f"invite:{invite.id}", person=person.id, name=person.name,
                 role=role.value, meetings=meetings)
    return NewInvite(invite=invite, person=person, secret=secret)


def renew_invite(session: Session, *, actor: Actor, invite_id: int) -> NewInvite:
    """A new secret for a lost link; the old link and its tokens stop working."""
    invite = _get_invite(session, invite_id)
    require_staff(session, actor, invite.process_id)
    if invite.revoked_at is not None:
        raise InvalidInput("This invite has been revoked")
    _end_tokens(session, invite.id)
    secret = new_token()
    invite.secret_hash = digest(secret)
    session.add(invite)
    audit.record(session, actor=actor, action="invite.renew", process_id=invite.process_id,
                 target=f"invite:{invite.id}")
    return NewInvite(invite=invite, person=session.get(Person, invite.person_id), secret=secret)


def revoke_invite(session: Session, *, actor: Actor, invite_id: int) -> Invite:
    """Revoke an invite and end every token obtained with it. Raises NotFound, NotAllowed."""
    invite = _get_invite(session, invite_id)
    require_staff(session, actor, invite.process_id)
    if invite.revoked_at is None:
        invite.revoked_at = utcnow()
        session.add(invite)
        _end_tokens(session, invite.id)
        audit.record(session, actor=actor, action="invite.revoke", process_id=invite.process_id,
                     target=f"invite:{invite.id}", person=invite.person_id)
    return invite


def _get_invite(session: Session, invite_id: int) -> Invite:
    invite = fetch(session, Invite, invite_id)
    if invite is None:
        raise NotFound("Invite {id} does not exist", id=invite_id)
    return invite


def _end_tokens(session: Session, invite_id: int) -> None:
    now = utcnow()
    for token in session.exec(
        select(AuthToken).where(AuthToken.invite_id == invite_id, AuthToken.revoked_at.is_(None))
    ):
        token.revoked_at = now
        session.add(token)


def list_invites(session: Session, *, actor: Actor, process_id: int) -> list[tuple[Invite, Person]]:
    require_staff(session, actor, process_id)
    rows = session.exec(
        select(Invite, Person)
        .join(Person, Person.id == Invite.person_id)
        .where(Invite.process_id == process_id)
        .order_by(Invite.id)
    )
    return list(rows)


def join_with_invite(session: Session, *, secret: str, days: int, browser: bool = False) -> Joined:
    """Exchange an invite secret for a token. Raises NotFound if unknown or revoked."""
    invite = session.exec(select(Invite).where(Invite.secret_hash == digest(secret))).first()
    person = session.get(Person, invite.person_id) if invite else None
    if invite is None or invite.revoked_at is not None or person is None or person.removed_at:
        raise NotFound("This invite link is not valid or has been revoked")
    token = issue_token(session, days=days, person=person, invite=invite, browser=browser)
    audit.record(session, actor=None, action="join.invite", process_id=invite.process_id,
                 target=f"person:{person.id}", invite=invite.id)
    return Joined(token=token, person=person, meeting_id=None)


def set_join_code(session: Session, *, actor: Actor, meeting_id: int) -> str:
    """Create or replace the meeting's join code; returns it (it is stored hashed)."""
    meeting = _get_meeting(session, meeting_id)
    require_staff(session, actor, meeting.process_id)
    _disable_codes(session, meeting_id)
    code = new_code()
    session.add(JoinCode(meeting_id=meeting_id, code_hash=digest(code)))
    audit.record(session, actor=actor, action="code.set", process_id=meeting.process_id,
                 target=f"meeting:{meeting_id}")
    return code


def disable_join_code(session: Session, *, actor: Actor, meeting_id: int) -> None:
    meeting = _get_meeting(session, meeting_id)
    require_staff(session, actor, meeting.process_id)
    _disable_codes(session, meeting_id)
    audit.record(session, actor=actor, action="code.disable", process_id=meeting.process_id,
                 target=f"meeting:{meeting_id}")


def has_join_code(session: Session, meeting_id: int) -> bool:
    return session.exec(
        select(JoinCode.id).where(JoinCode.meeting_id == meeting_id, JoinCode.disabled_at.is_(None))
    ).first() is not None


def _disable_codes(session: Session, meeting_id: int) -> None:
    for old in session.exec(
        select(JoinCode).where(JoinCode.meeting_id == meeting_id, JoinCode.disabled_at.is_(None))
    ):
        old.disabled_at = utcnow()
        session.add(old)


def meeting_for_code(session: Session, code: str) -> Meeting:
    """Raises NotFound for an unknown or disabled code, or a meeting that has ended."""
    join_code = session.exec(
        select(JoinCode).where(
            JoinCode.code_hash == digest(normalise_code(code)), JoinCode.disabled_at.is_(None)
        )
    ).first()
    meeting = session.get(Meeting, join_code.meeting_id) if join_code else None
    if meeting is None or meeting.state == MeetingState.ended:
        raise NotFound("This meeting code is not valid")
    return meeting


def join_with_code(
    session: Session,
    *,
    code: str,
    name: str,
    days: int,
    organization_id: int | None = None,
    organization_name: str | None = None,
    browser: bool = False,
) -> Joined:
    """Join one meeting as a participant with its code, naming a known or new organisation.

    Raises NotFound for a bad code, InvalidInput for a missing name or organisation.
    """
    meeting = meeting_for_code(session, code)
    name = clean_name(name, field="name")
    if organization_id is not None:
        organization = organization_of_process(session, meeting.process_id, organization_id)
    elif organization_name and organization_name.strip():
        organization = organization_by_name(session, meeting.process_id, organization_name)
    else:
        raise InvalidInput("Say which organisation you represent")
    person = Person(
        process_id=meeting.process_id,
        name=name,
        organization_id=organization.id,
        role=PersonRole.participant,
    )
    session.add(person)
    session.flush()
    token = issue_token(session, days=days, person=person, meeting_id=meeting.id, browser=browser)
    audit.record(session, actor=None, action="join.code", process_id=meeting.process_id,
                 target=f"person:{person.id}", meeting=meeting.id, name=name,
                 organization=organization.id)
    return Joined(token=token, person=person, meeting_id=meeting.id)


def organization_by_name(session: Session, process_id: int, name: str) -> Organization:
    """An existing organisation of that name, or a new one of kind other for staff review."""
    name = clean_name(name, field="organization_name")
    for organization in session.exec(select(Organization).where(Organization.process_id == process_id)):
        if organization.name.casefold() == name.casefold():
            return organization
    organization = Organization(
        process_id=process_id, name=name, kind=OrganizationKind.other, needs_review=True
    )
    session.add(organization)
    session.flush()
    return organization


def _get_meeting(session: Session, meeting_id: int) -> Meeting:
    meeting = fetch(session, Meeting, meeting_id)
    if meeting is None:
        raise NotFound("Meeting {id} does not exist", id=meeting_id)
    return meeting
