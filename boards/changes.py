"""The latest change to what a page shows (the synthesis editor, one statement's form, the
resource pledges), read from the audit log: an open page compares it with the change it was
rendered after, and tells its reader when someone else has changed it since. See docs/api.md
("Pages that say they changed").

A page's version is the id of the latest audit entry among the actions that change what it
shows: one small indexed query, and it names who made the change and when.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlmodel import Session, select

from boards.access import Actor, require_staff, require_whole_process
from boards.errors import NotFound
from boards.ids import fetch
from boards.models import STAFF_ROLES, AuditEntry, SynthesisStatement

# What the pledges page shows: every pledge and its state.
PLEDGE_ACTIONS = ("pledge.create", "pledge.update", "pledge.withdraw", "pledge.confirm", "pledge.reopen")
# What the staff's synthesis editor shows: the statements, the lines' descriptions, the
# approved and published versions, and the draft, which counts confirmed pledges only.
SYNTHESIS_STAFF_ACTIONS = ("statement.add", "statement.update", "statement.move", "statement.remove",
                           "line.describe", "synthesis.approve", "synthesis.publish",
                           "pledge.confirm", "pledge.reopen")
# Members read the latest approved version only: nothing else changes their page.
SYNTHESIS_MEMBER_ACTIONS = ("synthesis.approve",)
# What makes an open statement form stale: its statement saved or removed by someone else.
STATEMENT_ACTIONS = ("statement.update", "statement.remove")


class Change(NamedTuple):
    """One change: its audit entry id (the page's version), what, when, and by whom."""

    id: int
    action: str
    at: datetime
    account_id: int | None
    person_id: int | None


def _latest(session: Session, process_id: int, actions: tuple[str, ...], *,
            target: str | None = None) -> Change | None:
    query = select(AuditEntry.id, AuditEntry.action, AuditEntry.at, AuditEntry.account_id, AuditEntry.person_id)
    query = query.where(AuditEntry.process_id == process_id, AuditEntry.action.in_(actions))
    if target is not None:
        query = query.where(AuditEntry.target == target)
    row = session.exec(query.order_by(AuditEntry.id.desc()).limit(1)).first()
    return Change(*row) if row else None


def synthesis_change(session: Session, *, actor: Actor, process_id: int) -> Change | None:
    """The latest change to the synthesis page as this actor sees it (the editor for staff,
    the approved versions for members), None if nothing changed yet. Raises NotAllowed
    (not a member of the whole process)."""
    person = require_whole_process(session, actor, process_id)
    actions = SYNTHESIS_STAFF_ACTIONS if person.role in STAFF_ROLES else SYNTHESIS_MEMBER_ACTIONS
    return _latest(session, process_id, actions)


def pledges_change(session: Session, *, actor: Actor, process_id: int) -> Change | None:
    """The latest change to the pledges of the process, None if none was ever entered.
    Raises NotAllowed (not a member of the whole process)."""
    require_whole_process(session, actor, process_id)
    return _latest(session, process_id, PLEDGE_ACTIONS)


def statement_change(session: Session, *, actor: Actor, statement_id: int) -> Change | None:
    """The latest save or removal of a statement (removed ones too: their form may still be
    open). Raises NotFound, NotAllowed (not staff)."""
    statement = fetch(session, SynthesisStatement, statement_id)
    if statement is None:
        raise NotFound("Statement {id} does not exist", id=statement_id)
    require_staff(session, actor, statement.process_id)
    return _latest(session, statement.process_id, STATEMENT_ACTIONS, target=f"statement:{statement_id}")


def version(change: Change | None) -> int:
    """The version a page was rendered at: 0 before any change."""
    return change.id if change else 0
