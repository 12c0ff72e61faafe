"""A person's data: erasure on request and the export of everything held about them
(GDPR art. 15, 17, 20; docs/api.md, "Personal data")."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from app.deps import CurrentActor, SessionDep
from app.i18n import current_language
from boards import personal_data

router = APIRouter(tags=["personal data"])


class ErasureRequest(BaseModel):
    reason: str


def publish_erasure(request: Request, erasure: personal_data.Erasure) -> None:
    """After commit: every server closes the erased person's connections to live meetings."""
    for meeting_id, event in erasure.events.items():
        request.app.state.hub.publish_from_thread(meeting_id, [event])


def export_response(data: dict, person_id: int) -> Response:
    """The export as a JSON file to keep, never cached."""
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2), media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="tavolo-person-{person_id}.json"',
                 "Cache-Control": "no-store"})


@router.post("/people/{person_id}/erase")
def erase(person_id: int, body: ErasureRequest, request: Request, actor: CurrentActor,
          session: SessionDep) -> dict:
    """Pseudonymise a participant or observer; approved versions are kept (facilitators)."""
    erasure = personal_data.erase_person(session, actor=actor, person_id=person_id, reason=body.reason)
    session.commit()
    publish_erasure(request, erasure)
    return erasure.view()


@router.get("/people/{person_id}/export")
def export(person_id: int, actor: CurrentActor, session: SessionDep) -> Response:
    """Everything held about one person, as a JSON attachment (the person, or staff)."""
    data = personal_data.export_person(session, actor=actor, person_id=person_id, lang=current_language.get())
    return export_response(data, person_id)
