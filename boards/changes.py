"""The latest change to what a process-wide page shows (the synthesis document, the resource
pledges), read from the audit log: an open page compares it with the change it was rendered
after, and tells its reader when someone else has changed it since. See docs/api.md
("Pages that say they changed").

A page's version is the id of the latest audit entry among the actions that change what it
shows: one small indexed query, and it names who made the change and when.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlmodel import Session, select

from boards.access import Actor, require_whole_process
from boards.models import STAFF_ROLES, AuditEntry

# What the pledges page shows: every pledge and its state.
PLEDGE_ACTIONS = ("pledge.create", "pledge.update", "pledge.withdraw", "pledge.confirm", "pledge.reopen")
# What the staff's synthesis editor shows: the statements, the lines' descriptions, the
# approved and published versions, and the draft, which counts confirmed pledges only.
SYNTHESIS_STAFF_ACTIONS = ("statement.add", "statement.update", "statement.move", "statement.remove",
                           "line.describe", "synthesis.approve", "synthesis.publish",
                           "pledge.confirm", "pledge.reopen")
# Members read the latest approved version only: nothing else changes their page.
SYNTHESIS_MEMBER_ACTIONS = ("synthesis.approve",)


class Change(NamedTuple):
    """One change: its audit entry id (the page's version), when, and by whom."""

    id: int
    at: datetime
    account_id: int | None
    person_id: int | None


def _latest(session: Session, process_id: int, actions: tuple[str, ...]) -> Change | None:
    row = session.exec(
        select(AuditEntry.id, AuditEntry.at, AuditEntry.account_id, AuditEntry.person_id)
        .where(AuditEntry.process_id == process_id, AuditEntry.action.in_(actions))
        .order_by(AuditEntry.id.desc())
        .limit(1)
    ).first()
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


def version(change: Change | None) -> int:
    """The version a page was rendered at: 0 before any change."""
    return change.id if change else 0
