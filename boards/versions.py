"""Versions of the record's documents: the verbale of a meeting (kind `minutes`) and the
synthesis document of a process (kind `synthesis`, no meeting).

Version 0 is the draft the secretary edits; approval freezes a copy as version 1, 2, ...
with the SHA-256 of its Markdown bytes, and an approved version never changes again
(L. 241/1990): corrections are new versions, and the history stays. The draft remembers the
generated text it was last reconciled with (`generated`), so that regenerating from new
events *offers* new material instead of overwriting the secretary's edits. An editor's save
may name the digest of the draft it started from: if someone saved another text meanwhile, it
is refused (Conflict) rather than silently replacing theirs.

Functions never commit: the caller commits the change with its audit entry.
"""

from __future__ import annotations

import hashlib
import re

from sqlalchemy import func
from sqlmodel import Session, select

from boards import audit
from boards.access import Actor, require_member, require_staff
from boards.clock import utcnow
from boards.errors import Conflict, InvalidInput, NotAllowed, NotFound
from boards.events import meeting_stream
from boards.items import lock_stream
from boards.models import (
    DocumentKind,
    DocumentVersion,
    Meeting,
    Person,
    PersonRole,
    Signature,
)
from boards.text import clean_text

# A verbale with a few hundred contributions and their annex is well under 1 MB of text;
# the limit keeps a pasted mistake from filling the database.
MARKDOWN_LIMIT = 2_000_000

CAPACITIES = ("chair", "minute_taker")

# A list item of the document subset: "- text" or "12. text".
_LIST_ITEM = re.compile(r"^(?:[-*+]|\d{1,9}[.)])\s")


def _scope(kind: DocumentKind, process_id: int, meeting_id: int | None):
    conditions = [DocumentVersion.kind == DocumentKind(kind), DocumentVersion.process_id == process_id]
    if meeting_id is None:
        conditions.append(DocumentVersion.meeting_id.is_(None))
    else:
        conditions.append(DocumentVersion.meeting_id == meeting_id)
    return conditions


def _stream(document: DocumentVersion) -> str:
    """The ordering lock a document's versions are numbered under."""
    if document.meeting_id is not None:
        return meeting_stream(document.meeting_id)
    return f"synthesis:{document.process_id}"


def _target(document: DocumentVersion) -> str:
    if document.meeting_id is not None:
        return f"meeting:{document.meeting_id}"
    return f"process:{document.process_id}"


def sha256_of(markdown: str) -> str:
    """The digest an approved version carries: of its Markdown encoded as UTF-8."""
    return hashlib.sha256(markdown.encode("utf-8")).hexdigest()


def _clean_markdown(markdown: str) -> str:
    if not isinstance(markdown, str):
        raise InvalidInput("The field '{field}' must be text", field="markdown")
    # One line ending, so that the digest does not depend on the browser that sent it.
    markdown = markdown.replace("\r\n", "\n").replace("\r", "\n")
    markdown = clean_text(markdown, field="markdown", limit=MARKDOWN_LIMIT)
    return markdown + "\n"


# --- the draft ---------------------------------------------------------------------------


def find_draft(session: Session, *, kind: DocumentKind, process_id: int,
               meeting_id: int | None) -> DocumentVersion | None:
    return session.exec(
        select(DocumentVersion).where(*_scope(kind, process_id, meeting_id), DocumentVersion.version == 0)
    ).first()


def draft_for(session: Session, *, kind: DocumentKind, process_id: int, meeting_id: int | None,
              generated: str) -> DocumentVersion:
    """The draft, created from `generated` if none; if the draft is untouched
    (markdown == draft.generated) it follows `generated`; otherwise it is kept as is."""
    draft = find_draft(session, kind=kind, process_id=process_id, meeting_id=meeting_id)
    if draft is None:
        draft = DocumentVersion(kind=DocumentKind(kind), process_id=process_id, meeting_id=meeting_id,
                                version=0, markdown=generated, generated=generated)
        session.add(draft)
        session.flush()
    elif draft.markdown == draft.generated and draft.generated != generated:
        draft.markdown = generated
        draft.generated = generated
        draft.updated_at = utcnow()
        session.add(draft)
        session.flush()
    return draft


def blocks(markdown: str) -> list[str]:
    """The Markdown split into blocks: headings, paragraphs, list items (with their
    continuation lines) and table rows, each without trailing spaces."""
    found: list[str] = []
    current: list[str] = []

    def close() -> None:
        if current:
            found.append("\n".join(current))
            current.clear()

    for line in markdown.splitlines():
        line = line.rstrip()
        stripped = line.lstrip()
        if not stripped:
            close()
        elif stripped.startswith(("#", "|")) or stripped == "---":
            close()
            found.append(line)
        elif _LIST_ITEM.match(stripped):
            close()
            current.append(line)
        else:
            current.append(line)
    close()
    return found


def offered(draft: DocumentVersion, generated: str) -> list[str]:
    """Blocks (paragraphs / list items / table rows, as Markdown) present in `generated` but
    neither in draft.generated nor in draft.markdown: new material to offer, never forced."""
    known = set(blocks(draft.generated or "")) | set(blocks(draft.markdown))
    new = [block for block in blocks(generated) if block not in known and block != "---"]
    return list(dict.fromkeys(new))


def save_draft(session: Session, *, actor: Actor, draft: DocumentVersion, markdown: str,
               generated: str | None = None, base_sha256: str | None = None) -> DocumentVersion:
    """Staff only. `generated` (when given) becomes the draft's new base: offers made from
    it are considered seen. `base_sha256` (when given) is the digest of the draft the editor
    read: if the stored draft is another text, someone saved meanwhile and the edit would
    silently replace theirs, unless it is that very text. Audited. Raises NotAllowed,
    Conflict (not a draft, or changed since `base_sha256`), InvalidInput."""
    person = require_staff(session, actor, draft.process_id)
    if draft.version != 0:
        raise Conflict("An approved version never changes: edit the draft instead")
    cleaned = _clean_markdown(markdown)
    if generated is not None and (not isinstance(generated, str) or len(generated) > MARKDOWN_LIMIT):
        raise InvalidInput("The field '{field}' is longer than {limit} characters", field="generated",
                           limit=MARKDOWN_LIMIT)
    if base_sha256 is not None:
        # Two saves from the same base must not both pass the check: the second one waits
        # here for the first to commit, then reads its text.
        lock_stream(session, _stream(draft))
        session.refresh(draft)
        if base_sha256 != sha256_of(draft.markdown) and cleaned != draft.markdown:
            raise Conflict("The draft changed after you opened it: compare your text with the one saved, "
                           "then save again")
    before = draft.markdown
    draft.markdown = cleaned
    if generated is not None:
        draft.generated = generated
    draft.edited_by = person.id
    draft.updated_at = utcnow()
    session.add(draft)
    audit.record(session, actor=actor, action=f"{draft.kind.value}.save", process_id=draft.process_id,
                 target=_target(draft), changed=before != draft.markdown, sha256=sha256_of(draft.markdown))
    session.flush()
    return draft


# --- approved versions -------------------------------------------------------------------


def approve(session: Session, *, actor: Actor, draft: DocumentVersion, note: str = "") -> DocumentVersion:
    """Staff only. Freezes a copy as version N+1 with sha256 of markdown.encode('utf-8').
    Raises NotAllowed, Conflict (not a draft), InvalidInput (empty draft, long note)."""
    person = require_staff(session, actor, draft.process_id)
    if draft.version != 0:
        raise Conflict("Only the draft can be approved")
    # Two approvals at once must not both become version N+1.
    lock_stream(session, _stream(draft))
    session.refresh(draft)
    if not draft.markdown.strip():
        raise InvalidInput("The draft is empty")
    latest = session.exec(
        select(func.max(DocumentVersion.version)).where(
            *_scope(draft.kind, draft.process_id, draft.meeting_id)
        )
    ).one()
    now = utcnow()
    version = DocumentVersion(
        kind=draft.kind, process_id=draft.process_id, meeting_id=draft.meeting_id,
        version=(latest or 0) + 1, markdown=draft.markdown, sha256=sha256_of(draft.markdown),
        edited_by=draft.edited_by, updated_at=now, approved_at=now, approved_by=person.id,
        note=clean_text(note, field="note", required=False),
    )
    session.add(version)
    session.flush()
    audit.record(session, actor=actor, action=f"{draft.kind.value}.approve", process_id=draft.process_id,
                 target=_target(draft), version=version.version, sha256=version.sha256, note=version.note)
    return version


def approved_versions(session: Session, *, kind: DocumentKind, process_id: int,
                      meeting_id: int | None) -> list[DocumentVersion]:
    """Approved versions, oldest first."""
    return list(session.exec(
        select(DocumentVersion)
        .where(*_scope(kind, process_id, meeting_id), DocumentVersion.version > 0)
        .order_by(DocumentVersion.version)
    ))


def latest_approved(session: Session, *, kind: DocumentKind, process_id: int,
                    meeting_id: int | None) -> DocumentVersion | None:
    versions = approved_versions(session, kind=kind, process_id=process_id, meeting_id=meeting_id)
    return versions[-1] if versions else None


def get_version(session: Session, *, kind: DocumentKind, process_id: int, meeting_id: int | None,
                version: int) -> DocumentVersion:
    """An approved version by number. Raises NotFound."""
    row = None
    if isinstance(version, int) and not isinstance(version, bool) and 1 <= version <= 2**31 - 1:
        row = session.exec(
            select(DocumentVersion).where(*_scope(kind, process_id, meeting_id),
                                          DocumentVersion.version == version)
        ).first()
    if row is None:
        raise NotFound("Version {version} does not exist", version=version)
    return row


def latest_published(session: Session, *, kind: DocumentKind, process_id: int,
                     meeting_id: int | None) -> DocumentVersion | None:
    return session.exec(
        select(DocumentVersion)
        .where(*_scope(kind, process_id, meeting_id), DocumentVersion.version > 0,
               DocumentVersion.published_at.is_not(None))
        .order_by(DocumentVersion.version.desc())
    ).first()


# --- signatures and publication ------------------------------------------------------------


def _process_secretary(session: Session, process_id: int) -> Person | None:
    return session.exec(
        select(Person)
        .where(Person.process_id == process_id, Person.role == PersonRole.secretary,
               Person.removed_at.is_(None))
        .order_by(Person.id)
    ).first()


def minute_taker(session: Session, meeting: Meeting) -> Person | None:
    """The meeting's minute-taker (verbalizzante): the one recorded, else the process's
    first secretary."""
    if meeting.minute_taker_id is not None:
        return session.get(Person, meeting.minute_taker_id)
    return _process_secretary(session, meeting.process_id)


def may_sign(session: Session, document: DocumentVersion, person: Person, capacity: str) -> bool:
    """Whether `person` signs `document` in `capacity`: the meeting's chair and minute-taker
    for a verbale; a facilitator and a secretary of the process for the synthesis."""
    if person.removed_at is not None or person.process_id != document.process_id:
        return False
    if document.meeting_id is None:
        wanted = PersonRole.facilitator if capacity == "chair" else PersonRole.secretary
        return person.role == wanted
    meeting = session.get(Meeting, document.meeting_id)
    if capacity == "chair":
        return meeting.chair_id == person.id
    signer = minute_taker(session, meeting)
    return signer is not None and signer.id == person.id


def signatures(session: Session, document: DocumentVersion) -> list[Signature]:
    return list(session.exec(
        select(Signature).where(Signature.document_id == document.id).order_by(Signature.id)
    ))


def sign(session: Session, *, actor: Actor, document: DocumentVersion, capacity: str) -> Signature:
    """capacity "chair" (only the meeting's chair) or "minute_taker" (only its minute-taker);
    approved versions only; once per capacity. Raises InvalidInput, NotAllowed, Conflict."""
    if capacity not in CAPACITIES:
        raise InvalidInput("'capacity' must be one of: {values}", values=", ".join(CAPACITIES))
    person = require_member(session, actor, document.process_id)
    if document.version == 0:
        raise Conflict("Only an approved version can be signed")
    if not may_sign(session, document, person, capacity):
        if capacity == "chair":
            raise NotAllowed("Only the chair of the meeting signs as chair")
        raise NotAllowed("Only the minute-taker signs as minute-taker")
    lock_stream(session, _stream(document))
    if any(existing.capacity == capacity for existing in signatures(session, document)):
        raise Conflict("This version is already signed as {capacity}", capacity=capacity)
    signature = Signature(document_id=document.id, person_id=person.id, capacity=capacity)
    session.add(signature)
    session.flush()
    audit.record(session, actor=actor, action=f"{document.kind.value}.sign", process_id=document.process_id,
                 target=_target(document), version=document.version, capacity=capacity)
    return signature


def publish(session: Session, *, actor: Actor, document: DocumentVersion,
            public_markdown: str) -> DocumentVersion:
    """Staff only: the approved version's public (pseudonymised) text, frozen once published.
    Raises NotAllowed, Conflict (a draft, or already published)."""
    require_staff(session, actor, document.process_id)
    if document.version == 0:
        raise Conflict("Only an approved version can be published")
    lock_stream(session, _stream(document))
    session.refresh(document)
    if document.published_at is not None:
        raise Conflict("Version {version} is already published", version=document.version)
    document.public_markdown = _clean_markdown(public_markdown)
    document.published_at = utcnow()
    session.add(document)
    session.flush()
    audit.record(session, actor=actor, action=f"{document.kind.value}.publish", process_id=document.process_id,
                 target=_target(document), version=document.version,
                 sha256=sha256_of(document.public_markdown))
    return document
