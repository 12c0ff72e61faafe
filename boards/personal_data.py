"""Personal data: erasing a person on request (GDPR art. 17), exporting everything Tavolo
holds about one person (art. 15 and 20), and the retention run that erases the people of
processes that ended long enough ago. See docs/operations.md, "Personal data".

Erasing pseudonymises: the person keeps their row (contributions, votes and attendance still
count, and still belong to someone) but their name becomes their pseudonym of the process
(`boards.pseudonyms`, "Partecipante C"), their e-mail addresses and titles are cleared, their
invites and sessions are revoked, and their name is replaced in every text of the process:
contributions, comments, the agenda, decisions, actions, the drafts of the verbale and of the
synthesis, the live event log and the audit log. Documents generated afterwards read the new
name, so every later version is pseudonymised too. Approved versions of the verbale and of
the synthesis are acts of the administration and stay byte for byte as approved: keeping them
is a legal obligation (L. 241/1990), which GDPR art. 17(3)(b) exempts from erasure; the
erasure's result and its audit entry list them.

Staff are employees acting for their administration, and their names in the record are part
of the act: they are not erased here (their accounts are the administrator's business).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_
from sqlmodel import Session, select

from boards import audit
from boards.access import Actor, person_in_process, require_staff
from boards.clock import iso, utcnow
from boards.errors import InvalidInput, NotAllowed, NotFound
from boards.events import append, board_stream, meeting_stream
from boards.items import lock_stream
from boards.models import (
    STAFF_ROLES,
    Account,
    Action,
    AgendaItem,
    Attendance,
    AuditEntry,
    AuthToken,
    Board,
    BreakoutGroup,
    Comment,
    Decision,
    DocumentVersion,
    Event,
    GroupMember,
    Invite,
    Item,
    LineOfWork,
    Meeting,
    MeetingDocument,
    MeetingState,
    OpReceipt,
    Organization,
    Person,
    PersonRole,
    Process,
    Prompt,
    RecordingConsent,
    Representation,
    ResourcePledge,
    Signature,
    SteeringMember,
    SynthesisStatement,
    Vote,
    VotingRound,
)
from boards.pseudonyms import forms, name_parts, pattern, pseudonyms, substitute
from boards.text import clean_text

LEGAL_HOLD = "GDPR art. 17(3)(b)"
EXPORT_FORMAT = "tavolo-personal-data/1"
# Reasons are kept in the audit log: a sentence, not a letter.
REASON_LIMIT = 500


@dataclass
class Erasure:
    """What an erasure did, and what it kept and why."""

    person_id: int
    process_id: int
    pseudonym: str
    already_erased: bool
    erased_at: datetime
    # Rows changed per kind of text ("contributions": 3, ...).
    changed: dict[str, int] = field(default_factory=dict)
    # Approved versions still naming the person, kept unchanged.
    retained: list[dict] = field(default_factory=list)
    # Live meeting id → its `participant.removed` event, for the caller to publish after commit.
    events: dict[int, Event] = field(default_factory=dict)

    def view(self) -> dict:
        return {
            "person": self.person_id,
            "pseudonym": self.pseudonym,
            "already_erased": self.already_erased,
            "erased_at": iso(self.erased_at),
            "changed": self.changed,
            "retained": self.retained,
            "retained_because": (
                f"Approved versions of the verbale and of the synthesis are acts of the administration, "
                f"kept unchanged as a legal obligation (L. 241/1990): {LEGAL_HOLD}."
            ),
        }


# --- erasure -----------------------------------------------------------------------------


def _person(session: Session, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound("Person {id} not found", id=person_id)
    return person


def erase_person(session: Session, *, actor: Actor, person_id: int, reason: str) -> Erasure:
    """Pseudonymise a participant or observer on request (facilitators of their process).

    Erasing twice changes nothing more. Raises NotFound, NotAllowed, InvalidInput (staff,
    no reason).
    """
    person = _person(session, person_id)
    actor_person = require_staff(session, actor, person.process_id, roles={PersonRole.facilitator})
    reason = clean_text(reason, field="reason", limit=REASON_LIMIT)
    return erase(session, person=person, reason=reason, actor=actor, actor_person=actor_person)


def _meetings(session: Session, process_id: int) -> list[Meeting]:
    return list(session.exec(select(Meeting).where(Meeting.process_id == process_id).order_by(Meeting.number)))


def _replacer(session: Session, person: Person, pseudonym: str):
    """A function replacing the person's name in a text: the full name, and each part of it
    that no one else of the process has. A shared first name stays: it names no one alone.
    Organisation names are kept whole, as in the public documents."""
    name = " ".join(person.name.split())
    if not name:
        return lambda text: text
    others = session.exec(select(Person.name).where(Person.process_id == person.process_id,
                                                    Person.id != person.id, Person.erased_at.is_(None))).all()
    shared = {part.lower() for other in others for part in name_parts(" ".join(other.split()))}
    words = {form.lower() for form in forms(name)}
    words |= {form.lower() for part in name_parts(name) if part.lower() not in shared for form in forms(part)}
    replacements = dict.fromkeys(words, pseudonym)
    kept = list(session.exec(select(Organization.name).where(Organization.process_id == person.process_id)))
    return lambda text: substitute(text, replacements, kept=kept, default=pseudonym)


def _scrub_json(value, replace):
    if isinstance(value, str):
        return replace(value)
    if isinstance(value, list):
        return [_scrub_json(v, replace) for v in value]
    if isinstance(value, dict):
        return {k: _scrub_json(v, replace) for k, v in value.items()}
    return value


def _scrub_rows(session: Session, rows, columns: tuple[str, ...], replace) -> int:
    """Replace the name in these columns of these rows; returns how many rows changed."""
    changed = 0
    for row in rows:
        touched = False
        for column in columns:
            before = getattr(row, column)
            if before is None:
                continue
            after = _scrub_json(before, replace) if isinstance(before, dict | list) else replace(before)
            if after != before:
                # A new object, so that JSON columns are seen as changed.
                setattr(row, column, after)
                touched = True
        if touched:
            session.add(row)
            changed += 1
    return changed


def _texts(session: Session, process: Process, meeting_ids: list[int], board_ids: list[int]):
    """Every row of the process with free text, by kind, with the columns that hold it."""
    item_ids = select(Item.id).where(Item.board_id.in_(board_ids))
    streams = ([meeting_stream(m) for m in meeting_ids] + [board_stream(b) for b in board_ids]
               + [f"synthesis:{process.id}"])
    return {
        "process": ([process], ("description",)),
        "meetings": (session.exec(select(Meeting).where(Meeting.id.in_(meeting_ids))), ("title", "location")),
        "agenda": (session.exec(select(AgendaItem).where(AgendaItem.meeting_id.in_(meeting_ids))), ("text",)),
        "questions": (session.exec(select(Prompt).where(Prompt.meeting_id.in_(meeting_ids))), ("text",)),
        "contributions": (session.exec(select(Item).where(Item.board_id.in_(board_ids))), ("text",)),
        "comments": (session.exec(select(Comment).where(Comment.item_id.in_(item_ids))), ("text",)),
        "boards": (session.exec(select(Board).where(Board.id.in_(board_ids))), ("title",)),
        "groups": (session.exec(select(BreakoutGroup).where(BreakoutGroup.meeting_id.in_(meeting_ids))), ("name",)),
        "attendance": (session.exec(select(Attendance).where(Attendance.meeting_id.in_(meeting_ids))), ("note",)),
        "decisions": (session.exec(select(Decision).where(Decision.meeting_id.in_(meeting_ids))),
                      ("text", "outcome")),
        "actions": (session.exec(select(Action).where(Action.meeting_id.in_(meeting_ids))), ("text",)),
        "lines_of_work": (session.exec(select(LineOfWork).where(LineOfWork.process_id == process.id)),
                          ("title", "description")),
        "statements": (session.exec(select(SynthesisStatement).where(SynthesisStatement.process_id == process.id)),
                       ("text",)),
        "pledges": (session.exec(select(ResourcePledge).where(ResourcePledge.process_id == process.id)),
                    ("description",)),
        "documents": (session.exec(select(MeetingDocument).where(MeetingDocument.meeting_id.in_(meeting_ids))),
                      ("title",)),
        "steering_committee": (session.exec(select(SteeringMember).where(SteeringMember.process_id == process.id)),
                               ("name", "position")),
        # Version 0 only: the drafts. Approved versions never change (see the module's docstring).
        "drafts": (session.exec(select(DocumentVersion).where(DocumentVersion.process_id == process.id,
                                                              DocumentVersion.version == 0)),
                   ("markdown", "generated")),
        "events": (session.exec(select(Event).where(Event.stream.in_(streams))), ("data",)),
        "audit": (session.exec(select(AuditEntry).where(AuditEntry.process_id == process.id)), ("detail",)),
    }


def _retained(session: Session, process_id: int, mentions: re.Pattern[str] | None) -> list[dict]:
    """The approved versions of the process that name the person: kept as approved."""
    rows = session.exec(select(DocumentVersion).where(DocumentVersion.process_id == process_id,
                                                      DocumentVersion.version >= 1)
                        .order_by(DocumentVersion.kind, DocumentVersion.meeting_id, DocumentVersion.version))
    return [{"kind": row.kind.value, "meeting": row.meeting_id, "version": row.version, "sha256": row.sha256,
             "approved_at": iso(row.approved_at)}
            for row in rows if mentions is not None and mentions.search(row.markdown)]


def _mentions(person: Person) -> re.Pattern[str] | None:
    name = " ".join(person.name.split())
    return pattern(list(forms(name))) if name else None


def _retained_before(session: Session, person: Person) -> list[dict]:
    """What the first erasure of this person kept, from its audit entry."""
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "person.erase",
                                                  AuditEntry.target == f"person:{person.id}")
                         .order_by(AuditEntry.id)).first()
    return list(entry.detail.get("retained", [])) if entry else []


def erase(session: Session, *, person: Person, reason: str, actor: Actor | None,
          actor_person: Person | None = None, now: datetime | None = None) -> Erasure:
    """The erasure itself, once allowed: by a facilitator, or by the retention run (no actor).

    Raises InvalidInput for staff.
    """
    if person.role in STAFF_ROLES:
        raise InvalidInput("Staff take part for their administration and are not erased here: "
                           "their account is managed by the administrator")
    process = session.get(Process, person.process_id)
    pseudonym = pseudonyms(session, process_id=process.id)[person.id]
    if person.erased_at is not None:
        return Erasure(person.id, process.id, person.name, True, person.erased_at,
                       retained=_retained_before(session, person))
    now = now or utcnow()
    meetings = _meetings(session, process.id)
    live = [m for m in meetings if m.state == MeetingState.live]
    for meeting in live:
        lock_stream(session, meeting_stream(meeting.id))  # ordered with the meeting's live ops
    meeting_ids = [m.id for m in meetings]
    board_ids = list(session.exec(select(Board.id).where(Board.meeting_id.in_(meeting_ids))))
    replace = _replacer(session, person, pseudonym)
    reason = replace(reason)
    retained = _retained(session, process.id, _mentions(person))
    changed = {}
    for kind, (rows, columns) in _texts(session, process, meeting_ids, board_ids).items():
        if count := _scrub_rows(session, rows, columns, replace):
            changed[kind] = count
    person.name = pseudonym
    person.email = None
    person.erased_at = now
    removed_now = person.removed_at is None
    person.removed_at = person.removed_at or now
    session.add(person)
    for representation in session.exec(select(Representation).where(Representation.person_id == person.id)):
        representation.title = ""
        session.add(representation)
    invites = list(session.exec(select(Invite).where(Invite.person_id == person.id)))
    for invite in invites:
        invite.email = None
        invite.revoked_at = invite.revoked_at or now
        session.add(invite)
    tokens = session.exec(select(AuthToken).where(AuthToken.person_id == person.id, AuthToken.revoked_at.is_(None)))
    for token in tokens:
        token.revoked_at = now
        session.add(token)
    # Their op receipts hold results of their ops; they can send none any more.
    session.execute(delete(OpReceipt).where(OpReceipt.person_id == person.id))
    events = {}
    for meeting in live:
        # As `participant.remove`: out of the current groups, gone from the meeting, and every
        # server closes their connections on the event.
        current = select(BreakoutGroup.id).where(BreakoutGroup.meeting_id == meeting.id,
                                                 BreakoutGroup.dissolved_at.is_(None))
        for member in session.exec(select(GroupMember).where(GroupMember.person_id == person.id,
                                                             GroupMember.group_id.in_(current))):
            session.delete(member)
        row = session.exec(select(Attendance).where(Attendance.meeting_id == meeting.id,
                                                    Attendance.person_id == person.id)).first()
        if row is not None and row.joined_at is not None and row.left_at is None:
            row.left_at = now
            session.add(row)
        if removed_now:
            events[meeting.id] = append(session, stream=meeting_stream(meeting.id), name="participant.removed",
                                        data={"participant": person.id}, actor=actor_person)
    audit.record(session, actor=actor, action="person.erase", process_id=process.id, target=f"person:{person.id}",
                 reason=reason, pseudonym=pseudonym, changed=changed, invites=[invite.id for invite in invites],
                 retained=retained,
                 retained_because=f"approved versions kept unchanged: {LEGAL_HOLD}")
    session.flush()
    return Erasure(person.id, process.id, pseudonym, False, now, changed, retained, events)


# --- export --------------------------------------------------------------------------------


def _may_export(session: Session, actor: Actor, person: Person) -> None:
    """Staff of the person's process, or the person themself. Raises NotAllowed."""
    own = person_in_process(session, actor, person.process_id)
    if own is None or (own.id != person.id and own.role not in STAFF_ROLES):
        raise NotAllowed("Only the person themself or the staff of their process may download their data")


_NOT_INCLUDED = {
    "it": [
        ("I contributi, i commenti e i voti delle altre persone",
         "sono dati personali di altri; il verbale li riporta nei limiti stabiliti dall'amministrazione"),
        ("Il testo dei verbali e della sintesi approvati",
         "sono atti dell'amministrazione: si leggono dalla pagina del verbale o della sintesi"),
        ("I segreti dei link di invito e delle sessioni",
         "Tavolo ne conserva solo l'impronta (hash), che non serve a nessuno e proteggerebbe male se diffusa"),
        ("Il registro degli eventi in tempo reale",
         "ripete, mossa per mossa, i contributi e i commenti già elencati qui"),
        ("I registri del server web e i backup",
         "sono tenuti da chi gestisce il server, fuori da Tavolo: chiederli all'amministrazione"),
    ],
    "en": [
        ("Other people's contributions, comments and votes",
         "they are other people's personal data; the minutes show them as far as the administration decided"),
        ("The text of approved minutes and syntheses",
         "they are acts of the administration: read them from the minutes' or the synthesis' page"),
        ("The secrets of invite links and sessions",
         "Tavolo keeps only their digest (hash), of no use to anyone and a weakness if spread"),
        ("The live event log",
         "it repeats, move by move, the contributions and comments listed here"),
        ("The web server's logs and the backups",
         "they are kept by whoever runs the server, outside Tavolo: ask the administration"),
    ],
}


def export_person(session: Session, *, actor: Actor, person_id: int, lang: str = "it",
                  now: datetime | None = None) -> dict:
    """Everything Tavolo holds about one person, for them to take away (GDPR art. 15, 20).

    Raises NotFound, NotAllowed.
    """
    person = _person(session, person_id)
    _may_export(session, actor, person)
    process = session.get(Process, person.process_id)
    meetings = {m.id: m for m in _meetings(session, process.id)}
    organizations = {o.id: o for o in session.exec(select(Organization).where(Organization.process_id == process.id))}
    boards = {b.id: b for b in session.exec(select(Board).where(Board.meeting_id.in_(list(meetings))))}

    def meeting_ref(meeting_id: int | None) -> dict | None:
        meeting = meetings.get(meeting_id)
        return {"id": meeting.id, "number": meeting.number, "title": meeting.title} if meeting else None

    def organization_ref(organization_id: int | None) -> dict | None:
        organization = organizations.get(organization_id)
        return {"id": organization.id, "name": organization.name, "kind": organization.kind.value} \
            if organization else None

    def board_ref(board_id: int) -> dict:
        board = boards.get(board_id)
        return {"id": board_id, "title": board.title if board else None,
                "meeting": meeting_ref(board.meeting_id) if board else None}

    def rows(query):
        return list(session.exec(query))

    account = session.get(Account, person.account_id) if person.account_id else None
    items = {item.id: item for item in rows(select(Item).where(Item.author_id == person.id).order_by(Item.id))}
    votes = rows(select(Vote).where(Vote.person_id == person.id).order_by(Vote.id))
    rounds = {r.id: r for r in rows(select(VotingRound).where(VotingRound.id.in_({v.round_id for v in votes})))}
    groups = {g.id: g for g in rows(select(BreakoutGroup).where(BreakoutGroup.meeting_id.in_(list(meetings))))}
    audit_rows = rows(select(AuditEntry).where(or_(AuditEntry.person_id == person.id,
                                                   AuditEntry.target == f"person:{person.id}"))
                      .order_by(AuditEntry.id))
    return {
        "format": EXPORT_FORMAT,
        "generated_at": iso(now or utcnow()),
        "legal_basis": "GDPR art. 15, 20",
        "person": {
            "id": person.id, "name": person.name, "email": person.email, "role": person.role.value,
            "lang": person.lang, "organization": organization_ref(person.organization_id),
            "created_at": iso(person.created_at), "removed_at": iso(person.removed_at),
            "erased_at": iso(person.erased_at), "last_visit_at": iso(person.last_visit_at),
            "account": {"email": account.email, "name": account.name, "role": account.role.value}
            if account else None,
        },
        "process": {"id": process.id, "title": process.title, "administration": process.administration},
        "representations": [
            {"organization": organization_ref(r.organization_id), "title": r.title, "proxy_for": r.proxy_for,
             "meeting": meeting_ref(r.meeting_id)}
            for r in rows(select(Representation).where(Representation.person_id == person.id))
        ],
        "invites": [
            {"id": i.id, "email": i.email, "meetings": i.meetings, "created_at": iso(i.created_at),
             "revoked_at": iso(i.revoked_at)}
            for i in rows(select(Invite).where(Invite.person_id == person.id).order_by(Invite.id))
        ],
        "sessions": [
            {"created_at": iso(t.created_at), "expires_at": iso(t.expires_at), "revoked_at": iso(t.revoked_at),
             "browser": t.browser, "meeting": meeting_ref(t.meeting_id)}
            for t in rows(select(AuthToken).where(AuthToken.person_id == person.id).order_by(AuthToken.id))
        ],
        "attendance": [
            {"meeting": meeting_ref(a.meeting_id), "status": a.status.value, "joined_at": iso(a.joined_at),
             "left_at": iso(a.left_at), "in_person": a.in_person, "proxy_for": a.proxy_for, "note": a.note}
            for a in rows(select(Attendance).where(Attendance.person_id == person.id).order_by(Attendance.id))
        ],
        "recording_consents": [
            {"meeting": meeting_ref(c.meeting_id), "consent": c.consent, "at": iso(c.at)}
            for c in rows(select(RecordingConsent).where(RecordingConsent.person_id == person.id))
        ],
        "groups": [
            {"group": groups[m.group_id].name, "meeting": meeting_ref(groups[m.group_id].meeting_id)}
            for m in rows(select(GroupMember).where(GroupMember.person_id == person.id))
            if m.group_id in groups
        ],
        "contributions": [
            {"id": i.id, "kind": i.kind.value, "text": i.text, "board": board_ref(i.board_id),
             "organization": organization_ref(i.organization_id), "private": i.private,
             "asynchronous": i.asynchronous, "created_at": iso(i.created_at), "updated_at": iso(i.updated_at),
             "deleted_at": iso(i.deleted_at)}
            for i in items.values()
        ],
        "comments": [
            {"id": c.id, "item": c.item_id, "text": c.text, "reply_to": c.parent_id,
             "asynchronous": c.asynchronous, "created_at": iso(c.created_at)}
            for c in rows(select(Comment).where(Comment.author_id == person.id).order_by(Comment.id))
        ],
        # Their own ballots, secret to others but not to the voter.
        "votes": [
            {"item": v.item_id, "board": board_ref(rounds[v.round_id].board_id) if v.round_id in rounds else None,
             "at": iso(v.created_at)}
            for v in votes
        ],
        "decisions_recorded": [
            {"meeting": meeting_ref(d.meeting_id), "text": d.text, "outcome": d.outcome, "at": iso(d.created_at)}
            for d in rows(select(Decision).where(Decision.recorded_by == person.id).order_by(Decision.id))
        ],
        "actions_created": [
            {"meeting": meeting_ref(a.meeting_id), "text": a.text, "status": a.status.value, "at": iso(a.created_at)}
            for a in rows(select(Action).where(Action.created_by == person.id).order_by(Action.id))
        ],
        "pledges": [
            {"id": p.id, "organization": organization_ref(p.organization_id), "kind": p.kind.value,
             "description": p.description, "quantity": str(p.quantity), "unit": p.unit,
             "value_eur": str(p.value_eur), "entered": p.entered_by == person.id,
             "confirmed": p.confirmed_by == person.id, "created_at": iso(p.created_at)}
            for p in rows(select(ResourcePledge).where(or_(ResourcePledge.entered_by == person.id,
                                                           ResourcePledge.confirmed_by == person.id))
                          .order_by(ResourcePledge.id))
        ],
        "synthesis_statements": [
            {"id": s.id, "text": s.text, "updated_at": iso(s.updated_at), "removed_at": iso(s.removed_at)}
            for s in rows(select(SynthesisStatement).where(SynthesisStatement.created_by == person.id))
        ],
        "documents_uploaded": [
            {"meeting": meeting_ref(d.meeting_id), "title": d.title, "filename": d.filename,
             "media_type": d.media_type, "size": d.size, "sha256": d.sha256, "uploaded_at": iso(d.uploaded_at),
             "removed_at": iso(d.removed_at)}
            for d in rows(select(MeetingDocument).where(MeetingDocument.uploaded_by == person.id))
        ],
        "signatures": [
            {"document": s.document_id, "capacity": s.capacity, "signed_at": iso(s.signed_at)}
            for s in rows(select(Signature).where(Signature.person_id == person.id))
        ],
        "audit": [
            {"at": iso(e.at), "action": e.action, "target": e.target, "by_this_person": e.person_id == person.id,
             "detail": e.detail}
            for e in audit_rows
        ],
        "not_included": [{"what": what, "why": why} for what, why in _NOT_INCLUDED.get(lang, _NOT_INCLUDED["it"])],
    }


# --- retention -----------------------------------------------------------------------------


@dataclass
class RetentionReport:
    """What a retention run did (or, dry, would do)."""

    erased: list[tuple[int, int]] = field(default_factory=list)  # (process id, person id)
    processes: list[int] = field(default_factory=list)
    receipts: int = 0
    sessions: int = 0


def _expired_processes(session: Session, horizon: datetime) -> list[int]:
    """Processes whose meetings have all ended, the last before `horizon`."""
    last = (select(Meeting.process_id, func.max(Meeting.ended_at).label("last"),
                   func.count(Meeting.id).label("meetings"),
                   func.count(Meeting.ended_at).label("ended"))
            .group_by(Meeting.process_id).subquery())
    query = (select(last.c.process_id)
             .where(last.c.meetings == last.c.ended, last.c.last < horizon)
             .order_by(last.c.process_id))
    return list(session.exec(query))


def run_retention(session: Session, *, days: int | None, now: datetime | None = None, dry_run: bool = False,
                  receipt_days: int) -> RetentionReport:
    """Erase the participants and observers of processes whose last meeting ended more than
    `days` ago (approved versions kept, as for any erasure; None keeps everyone), and delete
    op receipts older than `receipt_days` and sessions already expired. Never commits.

    Raises InvalidInput for a negative number of days.
    """
    if days is not None and days < 0:
        raise InvalidInput("The retention period must not be negative")
    now = now or utcnow()
    report = RetentionReport()
    expired_processes = _expired_processes(session, now - timedelta(days=days)) if days is not None else []
    for process_id in expired_processes:
        people = session.exec(select(Person).where(Person.process_id == process_id, Person.erased_at.is_(None),
                                                   Person.role.in_([PersonRole.participant, PersonRole.observer]))
                              .order_by(Person.id)).all()
        if people:
            report.processes.append(process_id)
        for person in people:
            report.erased.append((process_id, person.id))
            if not dry_run:
                erase(session, person=person, actor=None, now=now,
                      reason=f"Retention period of {days} days after the last meeting")
    old_receipts = OpReceipt.created_at < now - timedelta(days=receipt_days)
    expired = AuthToken.expires_at < now
    report.receipts = session.exec(select(func.count(OpReceipt.id)).where(old_receipts)).one()
    report.sessions = session.exec(select(func.count(AuthToken.id)).where(expired)).one()
    if not dry_run:
        session.execute(delete(OpReceipt).where(old_receipts))
        session.execute(delete(AuthToken).where(expired))
        if report.erased or report.receipts or report.sessions:
            audit.record(session, actor=None, action="retention.run", days=days, erased=len(report.erased),
                         receipts=report.receipts, sessions=report.sessions)
    return report
