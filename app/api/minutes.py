"""The verbale of a meeting: exports, the draft, approval, signatures, publication, and the
table of contributions (../shared/contracts/http-api.md, "Minutes and synthesis"; docs/api.md)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, BackgroundTasks, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from app.deps import CurrentActor, SessionDep
from app.exports import ExportStoreDep, Source, document_file, minutes_source, prepare
from app.i18n import error_text
from boards import exports, minutes, minutes_versions, versions
from boards.clock import iso
from boards.errors import Conflict
from boards.exports import tables
from boards.exports.store import ExportStore
from boards.meetings import get_meeting
from boards.models import DocumentVersion, Meeting

router = APIRouter(tags=["minutes"])

Format = Literal["md", "html", "docx", "odt", "pdf"]
TableFormat = Literal["csv", "xlsx"]
TABLE_MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class Approval(BaseModel):
    note: str = ""


class DraftEdit(BaseModel):
    markdown: str
    generated: str | None = None
    # The digest of the draft the edit started from (`sha256` of GET .../draft): when given,
    # a draft saved by someone else since answers 409 instead of being replaced.
    base_sha256: str | None = Field(default=None, max_length=64)


class SignatureRequest(BaseModel):
    capacity: str


def _file(content: bytes, media_type: str, filename: str) -> Response:
    # Drafts change and approved versions are personal data: no shared cache keeps them.
    return Response(content, media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})


def _export(store: ExportStore, meeting: Meeting, document: DocumentVersion, source: Source, fmt: str) -> Response:
    return _file(document_file(store, document, source, fmt), exports.MEDIA_TYPES[fmt],
                 minutes.filename(meeting, exports.EXTENSIONS[fmt]))


def _draft_view(draft: minutes_versions.Draft) -> dict:
    document = draft.document
    return {"markdown": document.markdown, "sha256": versions.sha256_of(document.markdown),
            "generated": draft.generated, "offered": draft.offered,
            "edited": document.markdown != document.generated, "edited_by": document.edited_by,
            "updated_at": iso(document.updated_at)}


def _version_view(document: DocumentVersion) -> dict:
    return {"version": document.version, "sha256": document.sha256}


@router.get("/meetings/{meeting_id}/minutes")
def export_minutes(meeting_id: int, actor: CurrentActor, session: SessionDep, store: ExportStoreDep,
                   format: Format = "md", version: int | None = None) -> Response:
    """The verbale as a file: staff get the draft by default, members the latest approved version."""
    document = minutes_versions.readable(session, actor=actor, meeting_id=meeting_id, version=version)
    session.commit()
    meeting = get_meeting(session, meeting_id)
    return _export(store, meeting, document, minutes_source(session, document), format)


@router.post("/meetings/{meeting_id}/minutes/approve")
def approve_minutes(meeting_id: int, actor: CurrentActor, session: SessionDep, store: ExportStoreDep,
                    tasks: BackgroundTasks, body: Approval | None = None) -> dict:
    """Freeze the current draft as the next numbered version (staff)."""
    document = minutes_versions.approve(session, actor=actor, meeting_id=meeting_id,
                                        note=body.note if body else "")
    session.commit()
    prepare(tasks, store, minutes_source(session, document))
    return _version_view(document)


@router.get("/meetings/{meeting_id}/minutes/draft")
def get_draft(meeting_id: int, actor: CurrentActor, session: SessionDep) -> dict:
    """The draft with the material generated since it was last reconciled (staff)."""
    draft = minutes_versions.current_draft(session, actor=actor, meeting_id=meeting_id)
    session.commit()
    return _draft_view(draft)


@router.put("/meetings/{meeting_id}/minutes/draft")
def save_draft(meeting_id: int, body: DraftEdit, actor: CurrentActor, session: SessionDep) -> dict:
    """Save the secretary's edit of the draft (staff; 409 if it changed since `base_sha256`)."""
    try:
        draft = minutes_versions.save_draft(session, actor=actor, meeting_id=meeting_id, markdown=body.markdown,
                                            generated=body.generated, base_sha256=body.base_sha256)
    except Conflict as error:
        session.rollback()
        current = minutes_versions.current_draft(session, actor=actor, meeting_id=meeting_id)
        session.commit()
        return JSONResponse({"detail": error_text(error), "current": _draft_view(current)}, status_code=409)
    session.commit()
    return _draft_view(draft)


@router.get("/meetings/{meeting_id}/minutes/versions")
def list_versions(meeting_id: int, actor: CurrentActor, session: SessionDep) -> dict:
    """The approved versions with their SHA-256, signatures and publication."""
    return minutes_versions.history(session, actor=actor, meeting_id=meeting_id)


@router.post("/meetings/{meeting_id}/minutes/versions/{version}/sign", status_code=201)
def sign_version(meeting_id: int, version: int, body: SignatureRequest, actor: CurrentActor,
                 session: SessionDep) -> dict:
    """Sign an approved version as the meeting's chair or minute-taker."""
    signature = minutes_versions.sign(session, actor=actor, meeting_id=meeting_id, version=version,
                                      capacity=body.capacity)
    session.commit()
    return signature


@router.post("/meetings/{meeting_id}/minutes/versions/{version}/publish")
def publish_version(meeting_id: int, version: int, actor: CurrentActor, session: SessionDep,
                    store: ExportStoreDep, tasks: BackgroundTasks) -> dict:
    """Publish an approved version in its pseudonymised form (staff)."""
    document = minutes_versions.publish(session, actor=actor, meeting_id=meeting_id, version=version)
    session.commit()
    prepare(tasks, store, minutes_source(session, document, public=True))
    return {**_version_view(document), "published_at": iso(document.published_at)}


@router.get("/public/meetings/{meeting_id}/minutes")
def public_minutes(meeting_id: int, session: SessionDep, store: ExportStoreDep, format: Format = "md") -> Response:
    """The published verbale, people pseudonymised; no sign-in needed."""
    document = minutes_versions.published(session, meeting_id=meeting_id)
    return _export(store, get_meeting(session, meeting_id), document,
                   minutes_source(session, document, public=True), format)


@router.get("/meetings/{meeting_id}/contributions")
def export_contributions(meeting_id: int, actor: CurrentActor, session: SessionDep,
                         format: TableFormat = "csv") -> Response:
    """Every contribution of the meeting as a spreadsheet (staff)."""
    rows = minutes_versions.contributions(session, actor=actor, meeting_id=meeting_id)
    meeting = get_meeting(session, meeting_id)
    write = tables.to_csv if format == "csv" else tables.to_xlsx
    name = minutes.filename(meeting, format).replace("verbale-", "contributi-", 1)
    return _file(write(minutes_versions.CONTRIBUTION_COLUMNS, rows), TABLE_MEDIA_TYPES[format], name)
