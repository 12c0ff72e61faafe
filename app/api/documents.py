"""Documents examined at a meeting: upload (staff), list and download (members), removal
(staff).

The upload is read from the request stream as it arrives (app/uploads.py): the parse stops
as soon as the file passes the size limit, so an oversize upload is refused without being
read whole; a declared `Content-Length` over the limit is refused before reading anything.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from starlette.datastructures import UploadFile

from app.deps import CurrentActor, SessionDep, SettingsDep
from app.uploads import read_upload
from boards import meeting_documents

router = APIRouter(tags=["documents"])

UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "title": {"type": "string"},
                    },
                }
            }
        },
    }
}


@router.post("/meetings/{meeting_id}/documents", status_code=201, openapi_extra=UPLOAD_BODY)
async def upload_document(meeting_id: int, request: Request, actor: CurrentActor,
                          session: SessionDep, settings: SettingsDep) -> dict:
    """Attach a document examined at the meeting (staff; multipart `file`, optional `title`)."""
    await run_in_threadpool(meeting_documents.check_may_upload, session, actor=actor,
                            meeting_id=meeting_id)
    upload, title = await read_upload(request, settings.upload_max_bytes)
    try:
        return await run_in_threadpool(_store, session, actor, meeting_id, upload, title,
                                       settings)
    finally:
        await upload.close()


def _store(session, actor, meeting_id: int, upload: UploadFile, title: str, settings) -> dict:
    document = meeting_documents.store_document(
        session, actor=actor, meeting_id=meeting_id, source=upload.file,
        filename=upload.filename, media_type=upload.content_type, title=title,
        uploads_dir=settings.uploads_dir, max_bytes=settings.upload_max_bytes,
    )
    session.commit()
    return meeting_documents.document_view(document)


@router.get("/meetings/{meeting_id}/documents")
def list_documents(meeting_id: int, actor: CurrentActor, session: SessionDep) -> list[dict]:
    """The documents examined at the meeting (members)."""
    return [meeting_documents.document_view(d)
            for d in meeting_documents.list_documents(session, actor=actor, meeting_id=meeting_id)]


@router.get("/documents/{document_id}", response_class=FileResponse)
def download_document(document_id: int, actor: CurrentActor, session: SessionDep,
                      settings: SettingsDep) -> Response:
    """The document's file, as an attachment (members of its meeting)."""
    document = meeting_documents.get_document(session, actor=actor, document_id=document_id)
    path = meeting_documents.document_path(document, settings.uploads_dir)
    return FileResponse(
        path, media_type=document.media_type, filename=document.filename,
        content_disposition_type="attachment",
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"},
    )


@router.delete("/documents/{document_id}", status_code=204)
def remove_document(document_id: int, actor: CurrentActor, session: SessionDep) -> Response:
    """Take the document off the meeting (staff); its file is kept for the record."""
    meeting_documents.remove_document(session, actor=actor, document_id=document_id)
    session.commit()
    return Response(status_code=204)
