"""Every table of Tavolo, one SQLModel class each, grouped by family.

Rows hold naive UTC datetimes (see `boards.clock`). Relationships are foreign keys only:
the domain modules query what they need explicitly, which keeps loading predictable.
See docs/architecture.md for the model and ../shared/domain.md for the vocabulary.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, Column, Numeric, UniqueConstraint
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel

from boards.clock import utcnow

def enum_type(enum: type[StrEnum]) -> SAEnum:
    """Store an enum's values as plain strings: no database enum type to migrate later."""
    return SAEnum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=20,
        values_callable=lambda members: [member.value for member in members],
    )


# Texts typed by people (notes, comments, questions): the protocol's limit.
TEXT_LIMIT = 2000
# Names and titles: long enough for "Cooperativa sociale ... Onlus", short enough for a table.
NAME_LIMIT = 200


class AccountRole(StrEnum):
    facilitator = "facilitator"
    secretary = "secretary"


class PersonRole(StrEnum):
    facilitator = "facilitator"
    secretary = "secretary"
    participant = "participant"
    observer = "observer"


STAFF_ROLES = {PersonRole.facilitator, PersonRole.secretary}


class ProcessKind(StrEnum):
    co_design = "co-design"
    co_programming = "co-programming"


class OrganizationKind(StrEnum):
    public = "public"
    health = "health"
    third_sector = "third_sector"
    other = "other"


class MeetingMode(StrEnum):
    online = "online"
    in_person = "in_person"
    hybrid = "hybrid"


class MeetingState(StrEnum):
    scheduled = "scheduled"
    live = "live"
    ended = "ended"


class BoardKind(StrEnum):
    plenary = "plenary"
    group = "group"
    extra = "extra"


class ItemKind(StrEnum):
    note = "note"
    frame = "frame"
    text = "text"


class AttendanceStatus(StrEnum):
    present = "present"
    absent = "absent"
    excused = "excused"
    proxy = "proxy"


class DecisionMethod(StrEnum):
    vote = "vote"
    consensus = "consensus"


class ActionStatus(StrEnum):
    open = "open"
    done = "done"
    dropped = "dropped"


class PledgeKind(StrEnum):
    money = "money"
    staff_hours = "staff_hours"
    spaces = "spaces"
    volunteers = "volunteers"
    goods = "goods"


class DocumentKind(StrEnum):
    minutes = "minutes"
    synthesis = "synthesis"


# --- accounts and access -------------------------------------------------------------


class Account(SQLModel, table=True):
    """A facilitator's or secretary's login (staff); participants need none."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    name: str = Field(max_length=NAME_LIMIT)
    role: AccountRole = Field(sa_type=enum_type(AccountRole))
    password_hash: str
    lang: str | None = Field(default=None, max_length=8)
    disabled: bool = False
    created_at: datetime = Field(default_factory=utcnow)


class AuthToken(SQLModel, table=True):
    """A bearer token or browser session, stored as the SHA-256 of its secret."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    account_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    invite_id: int | None = Field(default=None, foreign_key="invite.id", index=True)
    # A join code admits to one meeting only.
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id")
    browser: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    revoked_at: datetime | None = None


# --- processes and who takes part ----------------------------------------------------


class Process(SQLModel, table=True):
    """A co-design or co-programming procedure (percorso)."""

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=NAME_LIMIT)
    kind: ProcessKind = Field(sa_type=enum_type(ProcessKind))
    description: str = Field(default="", max_length=TEXT_LIMIT * 5)
    administration: str = Field(default="", max_length=NAME_LIMIT)
    procedure_ref: str = Field(default="", max_length=NAME_LIMIT)
    rup_name: str = Field(default="", max_length=NAME_LIMIT)
    created_by: int = Field(foreign_key="account.id")
    created_at: datetime = Field(default_factory=utcnow)


class ThematicTable(SQLModel, table=True):
    """A thematic area of a process (tavolo / ambito)."""

    id: int | None = Field(default=None, primary_key=True)
    process_id: int = Field(foreign_key="process.id", index=True)
    title: str = Field(max_length=NAME_LIMIT)
    description: str = Field(default="", max_length=TEXT_LIMIT)


class Organization(SQLModel, table=True):
    """A body taking part in a process (ente)."""

    id: int | None = Field(default=None, primary_key=True)
    process_id: int = Field(foreign_key="process.id", index=True)
    name: str = Field(max_length=NAME_LIMIT)
    kind: OrganizationKind = Field(sa_type=enum_type(OrganizationKind))
    ats_lead: bool = False
    # Created by someone joining with a code: staff should check it.
    needs_review: bool = False
    created_at: datetime = Field(default_factory=utcnow)


class SteeringMember(SQLModel, table=True):
    """A member of the steering committee (cabina di regia)."""

    id: int | None = Field(default=None, primary_key=True)
    process_id: int = Field(foreign_key="process.id", index=True)
    name: str = Field(max_length=NAME_LIMIT)
    organization_id: int | None = Field(default=None, foreign_key="organization.id")
    position: str = Field(default="", max_length=NAME_LIMIT)
    started_on: date | None = None
    ended_on: date | None = None


class Person(SQLModel, table=True):
    """Someone taking part in one process: invited, joined by code, or a staff account."""

    id: int | None = Field(default=None, primary_key=True)
    process_id: int = Field(foreign_key="process.id", index=True)
    name: str = Field(max_length=NAME_LIMIT)
    organization_id: int | None = Field(default=None, foreign_key="organization.id")
    role: PersonRole = Field(sa_type=enum_type(PersonRole))
    account_id: int | None = Field(default=None, foreign_key="account.id")
    email: str | None = Field(default=None, max_length=254)
    lang: str | None = Field(default=None, max_length=8)
    removed_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    # Between meetings the process page shows what changed since the previous visit: a
    # visit starts when the person comes back after a pause (boards/reflection.py).
    last_visit_at: datetime | None = None
    previous_visit_at: datetime | None = None
    # Erased on request (GDPR art. 17): the name is a pseudonym from then on.
    erased_at: datetime | None = None


class Representation(SQLModel, table=True):
    """A person speaking for a body, possibly by proxy (delega) for another person."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    organization_id: int = Field(foreign_key="organization.id")
    title: str = Field(default="", max_length=NAME_LIMIT)
    proxy_for: int | None = Field(default=None, foreign_key="person.id")
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id")


class ProcessStaff(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("process_id", "account_id"),)

    id: int | None = Field(default=None, primary_key=True)
    process_id: int = Field(foreign_key="process.id", index=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    role: AccountRole = Field(sa_type=enum_type(AccountRole))
    added_at: datetime = Field(default_factory=utcnow)


class Invite(SQLModel, table=True):
    """A personal link into a process; the secret is only ever shown at creation."""

    id: int | None = Field(default=None, primary_key=True)
    process_id: int = Field(foreign_key="process.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    secret_hash: str = Field(max_length=64, unique=True, index=True)
    email: str | None = Field(default=None, max_length=254)
    # Meeting ids this invite admits to; null means every meeting of the process.
    meetings: list[int] | None = Field(default=None, sa_column=Column(JSON))
    created_by: int = Field(foreign_key="account.id")
    created_at: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None


class JoinCode(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    code_hash: str = Field(max_length=64, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    disabled_at: datetime | None = None


# --- meetings --------------------------------------------------------------------------


class Meeting(SQLModel, table=True):
    """One meeting (incontro) of a process; every meeting is minuted."""

    __table_args__ = (UniqueConstraint("process_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    process_id: int = Field(foreign_key="process.id", index=True)
    thematic_table_id: int | None = Field(default=None, foreign_key="thematictable.id")
    number: int
    title: str = Field(max_length=NAME_LIMIT)
    starts_at: datetime
    mode: MeetingMode = Field(sa_type=enum_type(MeetingMode))
    location: str = Field(default="", max_length=500)
    state: MeetingState = Field(default=MeetingState.scheduled, sa_type=enum_type(MeetingState))
    started_at: datetime | None = None
    ended_at: datetime | None = None
    chair_id: int | None = Field(default=None, foreign_key="person.id")
    minute_taker_id: int | None = Field(default=None, foreign_key="person.id")
    recording_url: str | None = Field(default=None, max_length=500)
    # Not a foreign key: boards point at their meeting, and a cycle would complicate DDL.
    plenary_board_id: int | None = None
    created_at: datetime = Field(default_factory=utcnow)


class AgendaItem(SQLModel, table=True):
    """A point of the agenda (ordine del giorno)."""

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    position: int
    text: str = Field(max_length=TEXT_LIMIT)


class Attendance(SQLModel, table=True):
    """One person's attendance at one meeting, from live events or a secretary's record."""

    __table_args__ = (UniqueConstraint("meeting_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    joined_at: datetime | None = None
    left_at: datetime | None = None
    status: AttendanceStatus = Field(default=AttendanceStatus.present, sa_type=enum_type(AttendanceStatus))
    proxy_for: int | None = Field(default=None, foreign_key="person.id")
    note: str = Field(default="", max_length=TEXT_LIMIT)
    corrected_by: int | None = Field(default=None, foreign_key="account.id")
    corrected_at: datetime | None = None
    # Added by the secretary as present in the room (hybrid meetings), not from a connection.
    in_person: bool = False


# --- boards and what is on them ----------------------------------------------------------


class Board(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    title: str = Field(max_length=NAME_LIMIT)
    kind: BoardKind = Field(sa_type=enum_type(BoardKind))
    group_id: int | None = Field(default=None, foreign_key="breakoutgroup.id")
    private: bool = False
    locked: bool = False
    created_at: datetime = Field(default_factory=utcnow)


class Item(SQLModel, table=True):
    """A note, frame or text on a board (contributo when it is a note)."""

    id: int | None = Field(default=None, primary_key=True)
    board_id: int = Field(foreign_key="board.id", index=True)
    kind: ItemKind = Field(sa_type=enum_type(ItemKind))
    x: float = 0
    y: float = 0
    w: float = 200
    h: float = 200
    text: str = Field(default="", max_length=TEXT_LIMIT)
    color: str = Field(default="yellow", max_length=32)
    author_id: int = Field(foreign_key="person.id")
    organization_id: int | None = Field(default=None, foreign_key="organization.id")
    prompt_id: int | None = Field(default=None, foreign_key="prompt.id")
    frame_id: int | None = Field(default=None, foreign_key="item.id")
    version: int = 1
    # Created or last updated while its board was private: redacted for others.
    private: bool = False
    # Posted between meetings (riflessione asincrona), marked as such in the record.
    asynchronous: bool = False
    # Marked by a facilitator as publishable: only then may its text go into open data.
    publishable: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    deleted_at: datetime | None = None


class Comment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    parent_id: int | None = Field(default=None, foreign_key="comment.id")
    text: str = Field(max_length=TEXT_LIMIT)
    author_id: int = Field(foreign_key="person.id")
    organization_id: int | None = Field(default=None, foreign_key="organization.id")
    asynchronous: bool = False
    created_at: datetime = Field(default_factory=utcnow)


class BreakoutGroup(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    name: str = Field(max_length=NAME_LIMIT)
    position: int
    # Not a foreign key, for the same reason as Meeting.plenary_board_id.
    board_id: int | None = None
    running: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    # When the groups last started and ended (the verbale says when breakout work ran);
    # an ended group's board is readable by the whole meeting, for reporting back.
    started_at: datetime | None = None
    ended_at: datetime | None = None
    # Replaced by the next `groups.create` of the meeting.
    dissolved_at: datetime | None = None


class GroupMember(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("group_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="breakoutgroup.id", index=True)
    person_id: int = Field(foreign_key="person.id")


class Prompt(SQLModel, table=True):
    """A guiding question (domanda guida) for everyone or for some groups."""

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    text: str = Field(max_length=TEXT_LIMIT)
    group_ids: list[int] | None = Field(default=None, sa_column=Column(JSON))
    deadline: datetime | None = None
    opened_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None


class VotingRound(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    board_id: int = Field(foreign_key="board.id", index=True)
    budget: int
    started_at: datetime = Field(default_factory=utcnow)
    ended_at: datetime | None = None
    results: list[dict] | None = Field(default=None, sa_column=Column(JSON))


class Vote(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="votinground.id", index=True)
    item_id: int = Field(foreign_key="item.id")
    person_id: int = Field(foreign_key="person.id")
    created_at: datetime = Field(default_factory=utcnow)


class LineOfWork(SQLModel, table=True):
    """A line of work (linea di lavoro) promoted from a frame of notes."""

    id: int | None = Field(default=None, primary_key=True)
    process_id: int = Field(foreign_key="process.id", index=True)
    meeting_id: int = Field(foreign_key="meeting.id")
    frame_id: int | None = Field(default=None, foreign_key="item.id")
    title: str = Field(max_length=NAME_LIMIT)
    description: str = Field(default="", max_length=TEXT_LIMIT)
    created_at: datetime = Field(default_factory=utcnow)


class LineOfWorkItem(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("line_id", "item_id"),)

    id: int | None = Field(default=None, primary_key=True)
    line_id: int = Field(foreign_key="lineofwork.id", index=True)
    item_id: int = Field(foreign_key="item.id")


class Decision(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    text: str = Field(max_length=TEXT_LIMIT)
    method: DecisionMethod = Field(sa_type=enum_type(DecisionMethod))
    outcome: str = Field(max_length=TEXT_LIMIT)
    votes_for: int | None = None
    votes_against: int | None = None
    votes_abstained: int | None = None
    item_ids: list[int] | None = Field(default=None, sa_column=Column(JSON))
    recorded_by: int = Field(foreign_key="person.id")
    created_at: datetime = Field(default_factory=utcnow)


class Action(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    text: str = Field(max_length=TEXT_LIMIT)
    owner_id: int = Field(foreign_key="organization.id")
    due: date | None = None
    status: ActionStatus = Field(default=ActionStatus.open, sa_type=enum_type(ActionStatus))
    created_by: int = Field(foreign_key="person.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ResourcePledge(SQLModel, table=True):
    """What a partner commits to the project (impegno di risorse)."""

    id: int | None = Field(default=None, primary_key=True)
    process_id: int = Field(foreign_key="process.id", index=True)
    organization_id: int = Field(foreign_key="organization.id")
    kind: PledgeKind = Field(sa_type=enum_type(PledgeKind))
    description: str = Field(default="", max_length=TEXT_LIMIT)
    quantity: Decimal = Field(sa_column=Column(Numeric(14, 2), nullable=False))
    unit: str = Field(max_length=40)
    value_eur: Decimal = Field(sa_column=Column(Numeric(14, 2), nullable=False))
    entered_by: int = Field(foreign_key="person.id")
    confirmed_by: int | None = Field(default=None, foreign_key="person.id")
    confirmed_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


# --- the record ------------------------------------------------------------------------


class DocumentVersion(SQLModel, table=True):
    """A version of a verbale (per meeting) or a synthesis document (per process).

    Version 0 is the editable draft; approved versions are numbered from 1 and frozen, with
    the SHA-256 of their Markdown bytes.
    """

    __table_args__ = (UniqueConstraint("kind", "meeting_id", "process_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: DocumentKind = Field(sa_type=enum_type(DocumentKind))
    process_id: int = Field(foreign_key="process.id", index=True)
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id", index=True)
    version: int
    markdown: str
    sha256: str | None = Field(default=None, max_length=64)
    edited_by: int | None = Field(default=None, foreign_key="person.id")
    updated_at: datetime = Field(default_factory=utcnow)
    approved_at: datetime | None = None
    approved_by: int | None = Field(default=None, foreign_key="person.id")
    published_at: datetime | None = None
    # Draft only: the generated Markdown the draft was last reconciled with, so that
    # regenerating offers what is new instead of overwriting the secretary's edits.
    generated: str | None = None
    # Why a correction was made (a new version after an approved one).
    note: str = Field(default="", max_length=TEXT_LIMIT)
    # Approved versions: the pseudonymised text for the public page, frozen on publication.
    public_markdown: str | None = None


class Signature(SQLModel, table=True):
    """Chair's or minute-taker's signature on an approved version, with its time."""

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="documentversion.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    capacity: str = Field(max_length=40)
    signed_at: datetime = Field(default_factory=utcnow)


class MeetingDocument(SQLModel, table=True):
    """A document examined at a meeting; its bytes live under the data directory."""

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    title: str = Field(max_length=NAME_LIMIT)
    filename: str = Field(max_length=NAME_LIMIT)
    media_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64)
    # Path relative to the uploads directory; never built from the uploaded file name.
    storage_key: str = Field(max_length=200)
    uploaded_by: int = Field(foreign_key="person.id")
    uploaded_at: datetime = Field(default_factory=utcnow)
    removed_at: datetime | None = None


class RecordingConsent(SQLModel, table=True):
    """A person's answer, asked at join time, to the meeting being recorded."""

    __table_args__ = (UniqueConstraint("meeting_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    consent: bool
    at: datetime = Field(default_factory=utcnow)


class SynthesisStatement(SQLModel, table=True):
    """A statement of the synthesis document, under a line of work or in general."""

    id: int | None = Field(default=None, primary_key=True)
    process_id: int = Field(foreign_key="process.id", index=True)
    line_id: int | None = Field(default=None, foreign_key="lineofwork.id")
    position: int = 0
    text: str = Field(max_length=TEXT_LIMIT)
    created_by: int = Field(foreign_key="person.id")
    updated_at: datetime = Field(default_factory=utcnow)
    removed_at: datetime | None = None


class SynthesisSource(SQLModel, table=True):
    """A contribution a synthesis statement came from."""

    __table_args__ = (UniqueConstraint("statement_id", "item_id"),)

    id: int | None = Field(default=None, primary_key=True)
    statement_id: int = Field(foreign_key="synthesisstatement.id", index=True)
    item_id: int = Field(foreign_key="item.id")


class Event(SQLModel, table=True):
    """The durable event log: every change of a stream, in `seq` order."""

    __table_args__ = (UniqueConstraint("stream", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    stream: str = Field(max_length=40, index=True)
    seq: int
    name: str = Field(max_length=40)
    data: dict = Field(sa_column=Column(JSON, nullable=False))
    actor_person_id: int | None = Field(default=None, foreign_key="person.id")
    actor_organization_id: int | None = None
    op_id: str | None = Field(default=None, max_length=100)
    at: datetime = Field(default_factory=utcnow)


class StreamHead(SQLModel, table=True):
    """The last `seq` handed out per stream; its row lock orders concurrent writers."""

    stream: str = Field(primary_key=True, max_length=40)
    seq: int = 0


class OpReceipt(SQLModel, table=True):
    """An acknowledged op, so a resent op id gets the same ack instead of a second change."""

    __table_args__ = (UniqueConstraint("person_id", "op_id"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id")
    op_id: str = Field(max_length=100)
    stream: str = Field(max_length=40)
    seq: int
    result: dict = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, index=True)


class AuditEntry(SQLModel, table=True):
    """Who changed what, when (L. 241/1990 transparency)."""

    id: int | None = Field(default=None, primary_key=True)
    process_id: int | None = Field(default=None, foreign_key="process.id", index=True)
    account_id: int | None = Field(default=None, foreign_key="account.id")
    person_id: int | None = Field(default=None, foreign_key="person.id")
    action: str = Field(max_length=60)
    target: str = Field(default="", max_length=60)
    detail: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    at: datetime = Field(default_factory=utcnow, index=True)
