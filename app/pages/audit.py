"""The audit log of a process for its staff: who changed what, when."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.deps import SessionDep
from app.pages.deps import PageActor, PageRoute
from app.pages.rendering import render
from boards import audit, processes
from boards.access import require_staff
from boards.people import display_names

router = APIRouter(route_class=PageRoute)


@router.get("/processes/{process_id}/audit")
def audit_log(process_id: int, request: Request, actor: PageActor, session: SessionDep) -> Response:
    """The latest entries of the audit log, newest first (staff)."""
    process = processes.get_process(session, process_id)
    require_staff(session, actor, process_id)
    entries = audit.entries(session, process_id=process_id)
    accounts, people = display_names(
        session,
        account_ids=[e.account_id for e in entries if e.account_id],
        person_ids=[e.person_id for e in entries if e.person_id],
    )
    rows = [
        {
            "at": entry.at,
            "who": accounts.get(entry.account_id) or people.get(entry.person_id) or "",
            "action": entry.action,
            "target": entry.target,
            "detail": {k: v for k, v in entry.detail.items() if v not in (None, "", [])},
        }
        for entry in entries
    ]
    return render(request, "audit.html", process=process, rows=rows)
