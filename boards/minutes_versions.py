"""Which version of a verbale each caller gets, and what staff do with it.

Staff read the current draft (reconciled with a fresh generation: `boards.versions`),
edit, approve, publish; participants and observers admitted to the meeting read approved
versions only; the public reads the published, pseudonymised one. The chair and the
minute-taker sign approved versions (`boards.versions.sign`). See docs/api.md ("Minutes").
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlmodel import Session, select

from boards import minutes, pseudonyms, versions
from boards.access import Actor, person_in_process, require_meeting_member, require_staff
from boards.clock import iso
from boards.errors import Conflict, NotAllowed, NotFound
from boards.exports import Letterhead
from boards.meetings import get_meeting
from boards.models import (
    STAFF_ROLES,
    Board,
    BreakoutGroup,
    DocumentKind,
    DocumentVersion,
    Item,
    ItemKind,
    Meeting,
    Organization,
    Person,
    Prompt,
)

MINUTES = DocumentKind.minutes
# The official record is written in the administration's language.
RECORD_LANG = "it"


@dataclass(frozen=True)
class Draft:
    document: DocumentVersion
    generated: str            # a fresh generation: sent back on save, it marks offers as seen
    offered: list[str]        # blocks of `generated` the draft has not seen yet


def _is_staff(session: Session, actor: Actor, meeting: Meeting) -> bool:
    person = person_in_process(session, actor, meeting.process_id)
    return person is not None and person.role in STAFF_ROLES


def current_draft(session: Session, *, actor: Actor, meeting_id: int) -> Draft:
    """The draft (created or following the record while untouched) and what is new since
    it was last reconciled. Raises NotFound, NotAllowed unless staff."""
    meeting = get_meeting(session, meeting_id)
    require_staff(session, actor, meeting.process_id)
    generated = minutes.generate(session, meeting_id=meeting.id, lang=RECORD_LANG)
    draft = versions.draft_for(session, kind=MINUTES, process_id=meeting.process_id, meeting_id=meeting.id,
                               generated=generated)
    return Draft(draft, generated, versions.offered(draft, generated))


def save_draft(session: Session, *, actor: Actor, meeting_id: int, markdown: str,
               generated: str | None = None, base_sha256: str | None = None) -> Draft:
    """The secretary's edit of the draft, of the one whose digest is `base_sha256` when given.
    Raises NotFound, NotAllowed, InvalidInput, Conflict (changed since `base_sha256`)."""
    current = current_draft(session, actor=actor, meeting_id=meeting_id)
    versions.save_draft(session, actor=actor, draft=current.document, markdown=markdown, generated=generated,
                        base_sha256=base_sha256)
    return Draft(current.document, current.generated, versions.offered(current.document, current.generated))


def readable(session: Session, *, actor: Actor, meeting_id: int, version: int | None = None) -> DocumentVersion:
    """The version the actor exports: staff the draft unless `version` is given; members of
    the meeting the given or latest approved version. Raises NotFound, NotAllowed (also
    for members while no version is approved)."""
    meeting = get_meeting(session, meeting_id)
    if _is_staff(session, actor, meeting):
        if version is None:
            return current_draft(session, actor=actor, meeting_id=meeting_id).document
        return versions.get_version(session, kind=MINUTES, process_id=meeting.process_id, meeting_id=meeting.id,
                                    version=version)
    require_meeting_member(session, actor, meeting)
    if version is not None:
        return versions.get_version(session, kind=MINUTES, process_id=meeting.process_id, meeting_id=meeting.id,
                                    version=version)
    latest = versions.latest_approved(session, kind=MINUTES, process_id=meeting.process_id, meeting_id=meeting.id)
    if latest is None:
        raise NotAllowed("The minutes of this meeting are not approved yet")
    return latest


def approve(session: Session, *, actor: Actor, meeting_id: int, note: str = "") -> DocumentVersion:
    """Freeze the current draft as the next version. Raises NotFound, NotAllowed, InvalidInput,
    Conflict (a board still in private mode: every member reads an approved verbale, so its
    notes are revealed first, as the meeting's end does)."""
    draft = current_draft(session, actor=actor, meeting_id=meeting_id).document
    if session.exec(select(Board).where(Board.meeting_id == meeting_id, Board.private.is_(True))).first():
        raise Conflict("A board of this meeting is in private mode: reveal its notes before approving the minutes")
    return versions.approve(session, actor=actor, draft=draft, note=note)


def history(session: Session, *, actor: Actor, meeting_id: int) -> dict:
    """Every approved version with its digest, approval, signatures and publication; staff
    also see the draft's last edit. Raises NotFound, NotAllowed."""
    meeting = get_meeting(session, meeting_id)
    staff = _is_staff(session, actor, meeting)
    if not staff:
        require_meeting_member(session, actor, meeting)
    names = {person.id: person.name for person in session.exec(
        select(Person).where(Person.process_id == meeting.process_id))}
    rows = []
    for document in versions.approved_versions(session, kind=MINUTES, process_id=meeting.process_id,
                                               meeting_id=meeting.id):
        rows.append({
            "version": document.version, "sha256": document.sha256, "note": document.note,
            "approved_at": iso(document.approved_at), "approved_by": document.approved_by,
            "approved_by_name": names.get(document.approved_by),
            "signatures": [signature_view(s, names) for s in versions.signatures(session, document)],
            "published_at": iso(document.published_at),
        })
    answer = {"meeting": meeting.id, "versions": rows, "draft": None}
    if staff:
        draft = versions.find_draft(session, kind=MINUTES, process_id=meeting.process_id, meeting_id=meeting.id)
        if draft is not None:
            answer["draft"] = {"updated_at": iso(draft.updated_at), "edited_by": draft.edited_by,
                               "edited_by_name": names.get(draft.edited_by)}
    return answer


def signature_view(signature, names: dict[int, str]) -> dict:
    return {"id": signature.id, "capacity": signature.capacity, "person": signature.person_id,
            "name": names.get(signature.person_id), "signed_at": iso(signature.signed_at)}


def approved(session: Session, *, meeting_id: int, version: int) -> DocumentVersion:
    """An approved version of the meeting's verbale, for staff actions. Raises NotFound."""
    meeting = get_meeting(session, meeting_id)
    return versions.get_version(session, kind=MINUTES, process_id=meeting.process_id, meeting_id=meeting.id,
                                version=version)


def sign(session: Session, *, actor: Actor, meeting_id: int, version: int, capacity: str) -> dict:
    """Sign version N as chair or minute-taker. Raises NotFound, NotAllowed, Conflict, InvalidInput."""
    meeting = get_meeting(session, meeting_id)
    require_meeting_member(session, actor, meeting)
    document = approved(session, meeting_id=meeting_id, version=version)
    signature = versions.sign(session, actor=actor, document=document, capacity=capacity)
    person = session.get(Person, signature.person_id)
    return signature_view(signature, {person.id: person.name})


def publish(session: Session, *, actor: Actor, meeting_id: int, version: int) -> DocumentVersion:
    """Publish version N in its pseudonymised form. Raises NotFound, NotAllowed, Conflict."""
    meeting = get_meeting(session, meeting_id)
    require_staff(session, actor, meeting.process_id)
    document = approved(session, meeting_id=meeting_id, version=version)
    public = pseudonyms.pseudonymise(session, process_id=meeting.process_id, markdown=document.markdown)
    return versions.publish(session, actor=actor, document=document, public_markdown=public)


def published(session: Session, *, meeting_id: int) -> DocumentVersion:
    """The latest published version, for anyone. Raises NotFound when there is none."""
    meeting = get_meeting(session, meeting_id)
    document = versions.latest_published(session, kind=MINUTES, process_id=meeting.process_id,
                                         meeting_id=meeting.id)
    if document is None:
        raise NotFound("The minutes of this meeting are not published")
    return document


def public_title(session: Session, *, meeting: Meeting) -> str:
    """The document title with people's names replaced, for the public export's metadata."""
    return pseudonyms.pseudonymise(session, process_id=meeting.process_id,
                                   markdown=minutes.title(meeting, RECORD_LANG))


def public_letterhead(session: Session, *, document: DocumentVersion) -> Letterhead:
    """The letterhead of a published text: its title pseudonymised too."""
    meeting = get_meeting(session, document.meeting_id)
    head = minutes.letterhead(session, document=document, lang=RECORD_LANG, public=True)
    return replace(head, title=public_title(session, meeting=meeting))


# --- contributions as a table ---------------------------------------------------------------

CONTRIBUTION_COLUMNS = [
    ("label", "Contributo"), ("board", "Lavagna"), ("group", "Gruppo"), ("question", "Domanda guida"),
    ("organization", "Ente"), ("author", "Persona"), ("text", "Testo"), ("asynchronous", "Asincrono"),
    ("created_at", "Creato"),
]


def contributions(session: Session, *, actor: Actor, meeting_id: int) -> list[dict]:
    """Every live note of the meeting, with its board, group, question, body and person
    (staff: private notes included). Raises NotFound, NotAllowed."""
    meeting = get_meeting(session, meeting_id)
    require_staff(session, actor, meeting.process_id)
    boards = {board.id: board for board in session.exec(select(Board).where(Board.meeting_id == meeting.id))}
    if not boards:
        return []
    groups = {group.id: group.name for group in session.exec(
        select(BreakoutGroup).where(BreakoutGroup.meeting_id == meeting.id))}
    prompts = {prompt.id: prompt.text for prompt in session.exec(select(Prompt).where(Prompt.meeting_id == meeting.id))}
    people = {person.id: person for person in session.exec(
        select(Person).where(Person.process_id == meeting.process_id))}
    organizations = {org.id: org.name for org in session.exec(
        select(Organization).where(Organization.process_id == meeting.process_id))}
    rows = []
    for item in session.exec(select(Item).where(Item.board_id.in_(list(boards)), Item.kind == ItemKind.note,
                                                Item.deleted_at.is_(None)).order_by(Item.id)):
        board = boards[item.board_id]
        author = people.get(item.author_id)
        organization_id = item.organization_id or (author.organization_id if author else None)
        rows.append({
            "label": f"C{item.id}", "board": board.title, "group": groups.get(board.group_id, ""),
            "question": prompts.get(item.prompt_id, ""), "organization": organizations.get(organization_id, ""),
            "author": author.name if author else "", "text": item.text,
            "asynchronous": "sì" if item.asynchronous else "no", "created_at": iso(item.created_at),
        })
    return rows
