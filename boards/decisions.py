"""Decisions and actions of a meeting, for the verbale: what was decided and how (vote
counts or consensus), and who does what by when.

Facilitators and secretaries record them, also after the meeting has ended. Each function
appends its event to the meeting stream in the caller's transaction. See docs/protocol.md.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from boards.clock import utcnow
from boards.errors import InvalidInput, NotFound
from boards.events import append, meeting_stream
from boards.guards import STAFF, open_meeting_for_change
from boards.ids import MAX_ID, fetch
from boards.items import ITEM_VIEW_COLUMNS, item_views, may_read_board
from boards.models import (
    Action,
    ActionStatus,
    Board,
    BoardKind,
    Decision,
    DecisionMethod,
    Event,
    Item,
    ItemKind,
    Meeting,
    Organization,
    Person,
)
from boards.text import clean_text

# A decision cites a handful of contributions; hundreds would be a whole board.
ITEMS_LIMIT = 200
# Vote counts of a meeting: far below this.
VOTES_LIMIT = 100_000


def decision_view(decision: Decision) -> dict:
    votes = None
    if decision.votes_for is not None or decision.votes_against is not None:
        votes = {"for": decision.votes_for, "against": decision.votes_against,
                 "abstained": decision.votes_abstained}
    return {"id": decision.id, "text": decision.text, "method": decision.method.value,
            "outcome": decision.outcome, "votes": votes, "items": decision.item_ids or []}


def action_view(action: Action) -> dict:
    return {"id": action.id, "text": action.text, "owner": action.owner_id,
            "due": action.due.isoformat() if action.due else None, "status": action.status.value}


def _count(votes: dict, key: str) -> int:
    value = votes.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= VOTES_LIMIT:
        raise InvalidInput("Vote counts must be whole numbers from 0 to {limit}", limit=VOTES_LIMIT)
    return value


def _items_of_meeting(session: Session, meeting: Meeting, item_ids: list[int]) -> list[int]:
    if len(item_ids) > ITEMS_LIMIT:
        raise InvalidInput("A decision cites at most {limit} items", limit=ITEMS_LIMIT)
    cited = []
    for item_id in dict.fromkeys(item_ids):
        item = fetch(session, Item, item_id)
        board = session.get(Board, item.board_id) if item else None
        if board is None or board.meeting_id != meeting.id:
            raise InvalidInput("Item {id} is not on a board of this meeting", id=item_id)
        if item.deleted_at is not None:
            # Nobody sees it any longer: the decision could not be traced back to it.
            raise InvalidInput("Item {id} has been deleted: a decision cannot rest on it", id=item_id)
        cited.append(item.id)
    return cited


def record_decision(*, session: Session, meeting: Meeting, actor_person: Person, text: str,
                    method: DecisionMethod, outcome: str, votes: dict | None = None,
                    item_ids: list[int] | None = None, op_id: str | None = None) -> Event:
    """Record a decision with how it was taken (`votes` `{for, against, abstained}` for a
    vote) and the contributions it rests on. Returns `decision.recorded`.

    Raises NotAllowed (not staff), InvalidInput.
    """
    open_meeting_for_change(session, meeting=meeting, actor_person=actor_person, roles=STAFF, after_end=True)
    method = DecisionMethod(method)
    if votes is not None and method != DecisionMethod.vote:
        raise InvalidInput("Vote counts go with the method 'vote'")
    decision = Decision(
        meeting_id=meeting.id,
        text=clean_text(text, field="text"),
        method=method,
        outcome=clean_text(outcome, field="outcome"),
        votes_for=_count(votes, "for") if votes is not None else None,
        votes_against=_count(votes, "against") if votes is not None else None,
        votes_abstained=_count(votes, "abstained") if votes is not None else None,
        item_ids=_items_of_meeting(session, meeting, item_ids or []),
        recorded_by=actor_person.id,
    )
    session.add(decision)
    session.flush()
    return append(session, stream=meeting_stream(meeting.id), name="decision.recorded",
                  data={"decision": decision_view(decision)}, actor=actor_person, op_id=op_id)


def _owner(session: Session, meeting: Meeting, organization_id: int) -> int:
    organization = fetch(session, Organization, organization_id)
    if organization is None or organization.process_id != meeting.process_id:
        raise InvalidInput("Organisation {id} is not part of this process", id=organization_id)
    return organization.id


def add_action(*, session: Session, meeting: Meeting, actor_person: Person, text: str, owner_id: int,
               due: date | None = None, op_id: str | None = None) -> Event:
    """An action owned by an organisation of the process; returns `action.added`.
    Raises NotAllowed (not staff), InvalidInput."""
    open_meeting_for_change(session, meeting=meeting, actor_person=actor_person, roles=STAFF, after_end=True)
    action = Action(meeting_id=meeting.id, text=clean_text(text, field="text"),
                    owner_id=_owner(session, meeting, owner_id), due=due, created_by=actor_person.id)
    session.add(action)
    session.flush()
    return append(session, stream=meeting_stream(meeting.id), name="action.added",
                  data={"action": action_view(action)}, actor=actor_person, op_id=op_id)


def update_action(*, session: Session, meeting: Meeting, actor_person: Person, action_id: int,
                  status: ActionStatus | None = None, text: str | None = None, owner_id: int | None = None,
                  due: date | None = None, clear_due: bool = False, op_id: str | None = None) -> Event:
    """Change an action's status (open, done, dropped), and optionally its text, owner or
    due date. Returns `action.updated`. Raises NotAllowed (not staff), NotFound, InvalidInput."""
    open_meeting_for_change(session, meeting=meeting, actor_person=actor_person, roles=STAFF, after_end=True)
    action = fetch(session, Action, action_id)
    if action is None or action.meeting_id != meeting.id:
        raise NotFound("Action {id} is not part of this meeting", id=action_id)
    if status is None and text is None and owner_id is None and due is None and not clear_due:
        raise InvalidInput("action.update needs at least one of: {fields}", fields="status, text, owner, due")
    if status is not None:
        action.status = ActionStatus(status)
    if text is not None:
        action.text = clean_text(text, field="text")
    if owner_id is not None:
        action.owner_id = _owner(session, meeting, owner_id)
    if due is not None or clear_due:
        action.due = due
    action.updated_at = utcnow()
    session.add(action)
    return append(session, stream=meeting_stream(meeting.id), name="action.updated",
                  data={"action": action_view(action)}, actor=actor_person, op_id=op_id)


# The boards in the order people think of them: the plenary, the groups', then the others.
_BOARD_RANK = {BoardKind.plenary: 0, BoardKind.group: 1}
_ITEMS = Item.__table__


def citable_notes(session: Session, meeting: Meeting, viewer: Person,
                  item_ids: list[int] | None = None) -> list[dict]:
    """The meeting's boards that `viewer` may read (`may_read_board`), each with its notes as
    the board snapshot shows them to `viewer` (a private note's text hidden): the notes a
    decision may cite, and the names of those it cites. With `item_ids`, only those notes
    and the boards that hold one."""
    boards = [board for board in session.exec(select(Board).where(Board.meeting_id == meeting.id))
              if may_read_board(session, viewer, board)]
    boards.sort(key=lambda board: (_BOARD_RANK.get(board.kind, 2), board.id))
    query = (sa_select(_ITEMS.c.board_id, *(_ITEMS.c[name] for name in ITEM_VIEW_COLUMNS))
             .where(_ITEMS.c.board_id.in_([board.id for board in boards]), _ITEMS.c.kind == ItemKind.note,
                    _ITEMS.c.deleted_at.is_(None))
             .order_by(_ITEMS.c.id))
    if item_ids is not None:
        # An id beyond the column's range names no note (and PostgreSQL's driver would raise).
        query = query.where(_ITEMS.c.id.in_([i for i in item_ids if 1 <= i <= MAX_ID]))
    rows: dict[int, list[tuple]] = {board.id: [] for board in boards}
    for board_id, *columns in session.execute(query):
        rows[board_id].append(columns)
    return [{"id": board.id, "kind": board.kind.value, "title": board.title, "group": board.group_id,
             "notes": item_views(rows[board.id], viewer)}
            for board in boards if item_ids is None or rows[board.id]]


def decisions_of(session: Session, meeting_id: int) -> list[Decision]:
    return list(session.exec(select(Decision).where(Decision.meeting_id == meeting_id).order_by(Decision.id)))


def actions_of(session: Session, meeting_id: int) -> list[Action]:
    return list(session.exec(select(Action).where(Action.meeting_id == meeting_id).order_by(Action.id)))
