"""Work between meetings (riflessione tra un incontro e l'altro): questions open with a
deadline, contributions and comments posted outside the meeting and marked asynchronous for
the record, and what changed for a person since their previous visit.

Contributions and comments are the protocol's board ops (`boards.items.create_item`,
`boards.comments.add_comment`): the same checks, the same event appended to the board's
stream in the caller's transaction. The caller commits, then publishes the returned event
to the room (`realtime.hub.Hub.publish_from_thread`), exactly as after an op.
See docs/protocol.md ("Before, during and after a meeting").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, select

from boards import audit
from boards.access import Actor, require_meeting_member
from boards.clock import as_utc, utcnow
from boards.comments import add_comment
from boards.errors import InvalidInput, Locked, NotAllowed, NotFound
from boards.ids import fetch
from boards.items import create_item, item_view, live_items, may_read_board, may_write_board, require_board_reader
from boards.models import (
    STAFF_ROLES,
    Action,
    AuthToken,
    Board,
    BoardKind,
    BreakoutGroup,
    Comment,
    Decision,
    DocumentKind,
    DocumentVersion,
    Event,
    GroupMember,
    Invite,
    Item,
    ItemKind,
    Meeting,
    MeetingState,
    Organization,
    Person,
    PersonRole,
    Prompt,
)
from boards.prompts import close_prompt, open_prompt
from boards.text import clean_text

# A visit ends after this long without loading a process page: the idle timeout web
# analytics use for a session, long enough to read the page and write a contribution,
# short enough that coming back after lunch is a new visit with its own "what changed".
VISIT_PAUSE = timedelta(minutes=30)

# Contributions between meetings land below everything the meeting wrote on the board, in
# rows of this many notes, so that they never cover a note of the meeting.
NOTES_PER_ROW = 5
# Space between notes placed that way, in board units (a note is 200 × 200).
NOTE_GAP = 40.0

# The kinds of change a person is told about, in the order the page lists them.
CHANGE_KINDS = ("replies", "contributions", "comments", "questions", "decisions", "actions",
                "minutes", "meetings")


# --- visits ------------------------------------------------------------------------------


def record_visit(session: Session, *, person: Person, now: datetime | None = None) -> datetime | None:
    """Note that the person is looking at the process now; returns when their previous visit
    was (None on their first), the moment "what changed" starts from.

    A page loaded within VISIT_PAUSE of the last one continues the same visit; after a longer
    pause a new visit starts and the last one becomes the previous. The caller commits.
    """
    now = as_utc(now or utcnow())
    last = as_utc(person.last_visit_at) if person.last_visit_at else None
    if last is None or now - last >= VISIT_PAUSE:
        person.previous_visit_at = last
    person.last_visit_at = now
    session.add(person)
    return as_utc(person.previous_visit_at) if person.previous_visit_at else None


# --- what a person may see ------------------------------------------------------------------


def admitted_meetings(session: Session, person: Person) -> list[Meeting]:
    """The meetings of the person's process their invites (or join codes) admit them to, in
    order; staff see them all. Pages ask `boards.people.meetings_for` with the actor's token."""
    meetings = list(session.exec(
        select(Meeting).where(Meeting.process_id == person.process_id).order_by(Meeting.number)))
    if person.role in STAFF_ROLES:
        return meetings
    allowed: set[int] = set()
    for invite in session.exec(select(Invite).where(Invite.person_id == person.id,
                                                    Invite.revoked_at.is_(None))):
        if invite.meetings is None:
            return meetings
        allowed.update(invite.meetings)
    allowed.update(session.exec(select(AuthToken.meeting_id).where(
        AuthToken.person_id == person.id, AuthToken.meeting_id.is_not(None),
        AuthToken.revoked_at.is_(None))).all())
    return [meeting for meeting in meetings if meeting.id in allowed]


def _readable_boards(session: Session, person: Person, meetings: Sequence[Meeting]) -> dict[int, Board]:
    if not meetings:
        return {}
    boards = session.exec(select(Board).where(Board.meeting_id.in_([m.id for m in meetings]))
                          .order_by(Board.id))
    return {board.id: board for board in boards if may_read_board(session, person, board)}


@dataclass(frozen=True)
class Names:
    """People's and organisations' names of one process, to say who wrote what."""

    people: dict[int, str]
    organizations: dict[int, str]

    @classmethod
    def of_process(cls, session: Session, process_id: int) -> Names:
        people = session.exec(select(Person.id, Person.name).where(Person.process_id == process_id))
        organizations = session.exec(select(Organization.id, Organization.name)
                                     .where(Organization.process_id == process_id))
        return cls(dict(people.all()), dict(organizations.all()))


# --- notes and their comments, as a person sees them -----------------------------------------


@dataclass
class CommentView:
    id: int
    item_id: int
    parent_id: int | None
    text: str
    author_id: int
    author: str
    organization: str | None
    at: datetime
    asynchronous: bool
    replies: list[CommentView] = field(default_factory=list)


@dataclass
class NoteView:
    """A note (contributo) with its comment threads; `text` None when private mode hides it
    from this person."""

    id: int
    board_id: int
    meeting_id: int
    prompt_id: int | None
    text: str | None
    author_id: int
    author: str
    organization: str | None
    at: datetime
    asynchronous: bool
    may_comment: bool
    # Only a note (not a board's text) can be marked for open data (boards.opendata).
    is_note: bool = True
    publishable: bool = False
    comments: list[CommentView] = field(default_factory=list)


def _may_comment(session: Session, person: Person, board: Board) -> bool:
    return may_write_board(session, person, board) and (
        not board.locked or person.role == PersonRole.facilitator)


def note_views(session: Session, *, person: Person, items: Sequence[Item], boards: dict[int, Board],
               names: Names) -> list[NoteView]:
    """The items as `person` sees them, each with its threaded comments (oldest first)."""
    item_ids = [item.id for item in items]
    comments = list(session.exec(select(Comment).where(Comment.item_id.in_(item_ids))
                                 .order_by(Comment.id))) if item_ids else []
    views: dict[int, CommentView] = {}
    threads: dict[int, list[CommentView]] = {item_id: [] for item_id in item_ids}
    for comment in comments:
        view = views[comment.id] = CommentView(
            id=comment.id, item_id=comment.item_id, parent_id=comment.parent_id, text=comment.text,
            author_id=comment.author_id, author=names.people.get(comment.author_id, ""),
            organization=names.organizations.get(comment.organization_id),
            at=as_utc(comment.created_at), asynchronous=comment.asynchronous)
        parent = views.get(comment.parent_id) if comment.parent_id else None
        (parent.replies if parent else threads[comment.item_id]).append(view)
    may_comment = {board_id: _may_comment(session, person, board) for board_id, board in boards.items()}
    notes = []
    for item in items:
        board = boards[item.board_id]
        notes.append(NoteView(
            id=item.id, board_id=board.id, meeting_id=board.meeting_id, prompt_id=item.prompt_id,
            text=item_view(item, person)["text"], author_id=item.author_id,
            author=names.people.get(item.author_id, ""),
            organization=names.organizations.get(item.organization_id),
            at=as_utc(item.created_at), asynchronous=item.asynchronous,
            may_comment=may_comment[board.id], is_note=item.kind == ItemKind.note,
            publishable=item.publishable, comments=threads[item.id]))
    return notes


@dataclass
class BoardNotes:
    board: Board
    group: str | None
    notes: list[NoteView]


def meeting_notes(session: Session, *, actor: Actor, meeting: Meeting) -> list[BoardNotes]:
    """The notes and texts of every board of the meeting the actor may read, with comments.

    Raises NotAllowed unless the actor may take part in the meeting.
    """
    person = require_meeting_member(session, actor, meeting)
    boards = _readable_boards(session, person, [meeting])
    names = Names.of_process(session, meeting.process_id)
    groups = dict(session.exec(select(BreakoutGroup.id, BreakoutGroup.name)
                               .where(BreakoutGroup.meeting_id == meeting.id)).all())
    result = []
    for board in sorted(boards.values(), key=lambda b: (b.kind != BoardKind.plenary, b.id)):
        items = [item for item in live_items(session, board.id) if item.kind != ItemKind.frame]
        result.append(BoardNotes(board, groups.get(board.group_id),
                                 note_views(session, person=person, items=items,
                                            boards={board.id: board}, names=names)))
    return result


# --- questions open between meetings ---------------------------------------------------------


@dataclass
class Question:
    """A guiding question with a deadline, its state for now and the answers this person may
    read. `board_id`: where this person's contribution would go (None if they may not)."""

    prompt: Prompt
    meeting: Meeting
    state: str  # "open", "expired" or "closed"
    deadline: datetime
    notes: list[NoteView]
    board_id: int | None

    @property
    def open(self) -> bool:
        return self.state == "open"


def _state(prompt: Prompt, now: datetime) -> str:
    if prompt.closed_at is not None:
        return "closed"
    return "open" if as_utc(prompt.deadline) > now else "expired"


def _group_boards(session: Session, person: Person, prompt: Prompt) -> list[int]:
    """The boards of the prompt's groups that the person is a member of."""
    if not prompt.group_ids:
        return []
    rows = session.exec(
        select(Board.id)
        .join(GroupMember, GroupMember.group_id == Board.group_id)
        .where(Board.group_id.in_(prompt.group_ids), GroupMember.person_id == person.id)
        .order_by(Board.id))
    return list(rows)


def answer_board(session: Session, person: Person, prompt: Prompt, meeting: Meeting) -> Board:
    """Where a contribution to the prompt goes: the board of the person's group when the
    prompt is for some groups, else the meeting's plenary.

    Raises NotAllowed for a participant outside every group the prompt is for.
    """
    if prompt.group_ids and person.role not in STAFF_ROLES:
        boards = _group_boards(session, person, prompt)
        if not boards:
            raise NotAllowed("This question is for other groups")
        return session.get(Board, boards[0])
    return session.get(Board, meeting.plenary_board_id)


def questions(session: Session, *, person: Person, meetings: Sequence[Meeting],
              now: datetime | None = None) -> list[Question]:
    """The questions with a deadline of these meetings: open ones first, soonest deadline
    first, then the closed and expired ones (still readable), latest first."""
    now = as_utc(now or utcnow())
    by_id = {meeting.id: meeting for meeting in meetings}
    prompts = list(session.exec(select(Prompt).where(Prompt.meeting_id.in_(list(by_id)),
                                                     Prompt.deadline.is_not(None))
                                .order_by(Prompt.id))) if by_id else []
    boards = _readable_boards(session, person, meetings)
    items = list(session.exec(select(Item).where(Item.prompt_id.in_([p.id for p in prompts]),
                                                 Item.deleted_at.is_(None)).order_by(Item.id))) if prompts else []
    items = [item for item in items if item.board_id in boards]
    names = Names.of_process(session, person.process_id)
    notes = note_views(session, person=person, items=items, boards=boards, names=names)
    result = []
    for prompt in prompts:
        state = _state(prompt, now)
        board_id = None
        if state == "open" and person.role != PersonRole.observer:
            try:
                board_id = answer_board(session, person, prompt, by_id[prompt.meeting_id]).id
            except NotAllowed:
                board_id = None
        result.append(Question(prompt=prompt, meeting=by_id[prompt.meeting_id], state=state,
                               deadline=as_utc(prompt.deadline),
                               notes=[note for note in notes if note.prompt_id == prompt.id],
                               board_id=board_id))
    open_ones = sorted((q for q in result if q.open), key=lambda q: q.deadline)
    others = sorted((q for q in result if not q.open), key=lambda q: q.deadline, reverse=True)
    return open_ones + others


def _free_spot(session: Session, board: Board) -> tuple[float, float]:
    """Below what the meeting wrote, after the contributions made since (see NOTES_PER_ROW)."""
    items = live_items(session, board.id)
    placed = sum(1 for item in items if item.asynchronous and item.prompt_id is not None)
    top = max((item.y + item.h for item in items
               if not (item.asynchronous and item.prompt_id is not None)), default=0.0)
    step = 200.0 + NOTE_GAP
    return (placed % NOTES_PER_ROW) * step, top + NOTE_GAP + (placed // NOTES_PER_ROW) * step


def _outside_the_meeting(meeting: Meeting) -> bool:
    """Posted while the meeting is not running: before it or after it (asincrono)."""
    return meeting.state != MeetingState.live


def contribute(*, session: Session, actor: Actor, prompt_id: int, text: str) -> Event:
    """Answer a question open between meetings with a note on its board (see
    `answer_board`), marked asynchronous; returns the board's `item.created` event.

    Raises NotFound, NotAllowed (not admitted to the meeting, observer, other groups'
    question), Locked (closed question, deadline passed, locked board), InvalidInput.
    """
    prompt = fetch(session, Prompt, prompt_id)
    if prompt is None:
        raise NotFound("Question {id} does not exist", id=prompt_id)
    meeting = session.get(Meeting, prompt.meeting_id)
    person = require_meeting_member(session, actor, meeting)
    text = clean_text(text, field="text")
    if prompt.deadline is None:
        raise InvalidInput("This question has no deadline: it is answered in the meeting room")
    if prompt.closed_at is not None:
        raise Locked("This guiding question is closed: its answers stay readable")
    if as_utc(prompt.deadline) <= utcnow():
        raise Locked("The deadline of this question has passed: its answers stay readable")
    board = answer_board(session, person, prompt, meeting)
    x, y = _free_spot(session, board)
    event = create_item(session=session, board=board, actor_person=person, kind=ItemKind.note,
                        x=x, y=y, text=text, prompt_id=prompt.id)
    item = session.get(Item, event.data["item"]["id"])
    item.asynchronous = _outside_the_meeting(meeting)
    session.add(item)
    return event


def comment(*, session: Session, actor: Actor, item_id: int, text: str,
            parent_id: int | None = None) -> Event:
    """Comment on a note of any meeting of the process the actor may read, or answer a
    comment (`parent_id`); marked asynchronous outside the meeting. Returns the board's
    `comment.added` event.

    Raises NotFound, NotAllowed (another group's board, observer), Locked, InvalidInput.
    """
    item = fetch(session, Item, item_id)
    if item is None or item.deleted_at is not None:
        raise NotFound("Note {id} does not exist", id=item_id)
    board = session.get(Board, item.board_id)
    person = require_board_reader(session, actor, board)
    event = add_comment(session=session, board=board, actor_person=person, item_id=item.id,
                        text=text, parent_id=parent_id)
    row = session.get(Comment, event.data["comment"]["id"])
    row.asynchronous = _outside_the_meeting(session.get(Meeting, board.meeting_id))
    session.add(row)
    return event


def open_question(*, session: Session, actor: Actor, meeting_id: int, text: str,
                  deadline: datetime | None) -> Event:
    """A facilitator opens a question for reflection on a meeting that is not running (ended
    or scheduled), for everyone, answered until `deadline`. Returns `prompt.opened` on the
    meeting stream; audited.

    Raises NotFound, NotAllowed, Locked (live meeting: ask in the room), InvalidInput.
    """
    meeting = fetch(session, Meeting, meeting_id)
    if meeting is None:
        raise NotFound("Meeting {id} does not exist", id=meeting_id)
    person = require_meeting_member(session, actor, meeting)
    if deadline is None:
        raise InvalidInput("Give the question a deadline", field="deadline")
    if meeting.state == MeetingState.live:
        raise Locked("This meeting is running: open the question from the room")
    event = open_prompt(session=session, meeting=meeting, actor_person=person, text=text,
                        deadline=deadline)
    prompt = event.data["prompt"]
    audit.record(session, actor=actor, action="reflection.open", process_id=meeting.process_id,
                 target=f"prompt:{prompt['id']}", meeting=meeting.id, deadline=prompt["deadline"])
    return event


def close_question(*, session: Session, actor: Actor, prompt_id: int) -> Event:
    """A facilitator closes a question before its deadline; its answers stay readable.
    Returns `prompt.closed` on the meeting stream; audited.

    Raises NotFound, NotAllowed, InvalidInput (already closed).
    """
    prompt = fetch(session, Prompt, prompt_id)
    if prompt is None:
        raise NotFound("Question {id} does not exist", id=prompt_id)
    meeting = session.get(Meeting, prompt.meeting_id)
    person = require_meeting_member(session, actor, meeting)
    event = close_prompt(session=session, meeting=meeting, actor_person=person, prompt_id=prompt.id)
    audit.record(session, actor=actor, action="reflection.close", process_id=meeting.process_id,
                 target=f"prompt:{prompt.id}", meeting=meeting.id)
    return event


# --- what changed since the previous visit ----------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One thing that happened: `kind` one of CHANGE_KINDS, `id` the row it is about (item,
    comment, prompt, decision, action, document version or meeting). `text` is None for a
    note whose text private mode hides from this person."""

    kind: str
    id: int
    at: datetime
    meeting_id: int
    meeting_number: int
    text: str | None
    by: str | None = None
    organization: str | None = None
    item_id: int | None = None
    version: int | None = None


@dataclass
class Changes:
    since: datetime | None
    entries: dict[str, list[Change]] = field(default_factory=dict)

    @property
    def first_visit(self) -> bool:
        return self.since is None

    @property
    def counts(self) -> dict[str, int]:
        return {kind: len(self.entries.get(kind, [])) for kind in CHANGE_KINDS}

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def changes_since(session: Session, *, person: Person, since: datetime | None,
                  meetings: Sequence[Meeting] | None = None) -> Changes:
    """What others did in the person's meetings after `since`, by kind (CHANGE_KINDS), oldest
    first: notes, comments (those answering the person's notes or comments as `replies`),
    questions opened, decisions and actions recorded, minutes approved, meetings scheduled.

    `meetings`: those the person may see (default `admitted_meetings`). Nothing for a first
    visit (`since` None).
    """
    changes = Changes(since=as_utc(since) if since else None)
    if since is None:
        return changes
    if meetings is None:
        meetings = admitted_meetings(session, person)
    after = as_utc(since)
    by_id = {meeting.id: meeting for meeting in meetings}
    ids = list(by_id)
    names = Names.of_process(session, person.process_id)
    boards = _readable_boards(session, person, meetings)
    entries: dict[str, list[Change]] = {kind: [] for kind in CHANGE_KINDS}

    def add(kind: str, row_id: int, at: datetime, meeting_id: int, text: str | None, **more) -> None:
        entries[kind].append(Change(kind=kind, id=row_id, at=as_utc(at), meeting_id=meeting_id,
                                    meeting_number=by_id[meeting_id].number, text=text, **more))

    if boards:
        for item in session.exec(select(Item).where(
                Item.board_id.in_(list(boards)), Item.kind == ItemKind.note,
                Item.deleted_at.is_(None), Item.author_id != person.id, Item.created_at > after)
                .order_by(Item.created_at, Item.id)):
            add("contributions", item.id, item.created_at, boards[item.board_id].meeting_id,
                item_view(item, person)["text"], by=names.people.get(item.author_id),
                organization=names.organizations.get(item.organization_id), item_id=item.id)
        rows = session.exec(
            select(Comment, Item).join(Item, Item.id == Comment.item_id)
            .where(Item.board_id.in_(list(boards)), Item.deleted_at.is_(None),
                   Comment.author_id != person.id, Comment.created_at > after)
            .order_by(Comment.created_at, Comment.id)).all()
        parents = {c.id: c.author_id for c in session.exec(select(Comment).where(
            Comment.id.in_([c.parent_id for c, _ in rows if c.parent_id])))} if rows else {}
        for row, item in rows:
            mine = (parents.get(row.parent_id) == person.id if row.parent_id
                    else item.author_id == person.id)
            add("replies" if mine else "comments", row.id, row.created_at,
                boards[item.board_id].meeting_id, row.text, by=names.people.get(row.author_id),
                organization=names.organizations.get(row.organization_id), item_id=item.id)
    if ids:
        for prompt in session.exec(select(Prompt).where(Prompt.meeting_id.in_(ids), Prompt.opened_at > after)
                                   .order_by(Prompt.opened_at, Prompt.id)):
            add("questions", prompt.id, prompt.opened_at, prompt.meeting_id, prompt.text)
        for decision in session.exec(select(Decision).where(
                Decision.meeting_id.in_(ids), Decision.recorded_by != person.id,
                Decision.created_at > after).order_by(Decision.created_at, Decision.id)):
            add("decisions", decision.id, decision.created_at, decision.meeting_id, decision.text,
                by=names.people.get(decision.recorded_by))
        for action in session.exec(select(Action).where(
                Action.meeting_id.in_(ids), Action.created_by != person.id,
                Action.created_at > after).order_by(Action.created_at, Action.id)):
            add("actions", action.id, action.created_at, action.meeting_id, action.text,
                organization=names.organizations.get(action.owner_id))
        for document in session.exec(select(DocumentVersion).where(
                DocumentVersion.kind == DocumentKind.minutes, DocumentVersion.meeting_id.in_(ids),
                DocumentVersion.version >= 1, DocumentVersion.approved_at > after)
                .order_by(DocumentVersion.approved_at, DocumentVersion.id)):
            add("minutes", document.id, document.approved_at, document.meeting_id, None,
                version=document.version)
        for meeting in meetings:
            if as_utc(meeting.created_at) > after:
                add("meetings", meeting.id, meeting.created_at, meeting.id, meeting.title)
        entries["meetings"].sort(key=lambda change: (change.at, change.id))
    changes.entries = entries
    return changes

