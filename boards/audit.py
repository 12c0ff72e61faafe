"""The audit log: who changed what, when (L. 241/1990, D.Lgs. 33/2013)."""

from __future__ import annotations

from sqlmodel import Session, select

from boards.access import Actor
from boards.models import AuditEntry


def record(
    session: Session,
    *,
    actor: Actor | None,
    action: str,
    process_id: int | None = None,
    target: str = "",
    **detail: object,
) -> AuditEntry:
    """Add an audit entry to the current transaction (committed with the change)."""
    entry = AuditEntry(
        process_id=process_id,
        account_id=actor.account.id if actor and actor.account else None,
        person_id=actor.person.id if actor and actor.person else None,
        action=action,
        target=target,
        detail=detail,
    )
    session.add(entry)
    return entry


def entries(session: Session, *, process_id: int, limit: int = 500) -> list[AuditEntry]:
    query = (
        select(AuditEntry)
        .where(AuditEntry.process_id == process_id)
        .order_by(AuditEntry.id.desc())
        .limit(limit)
    )
    return list(session.exec(query))
