"""The synthesis document of a process: its exports and approval (contract, "Minutes and
synthesis"), its statements, their sources, lines of work, versions and the public text
(extensions, see docs/api.md)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, BackgroundTasks, Query, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from app.deps import CurrentActor, OptionalActor, SessionDep
from app.exports import ExportStoreDep, document_file, prepare, synthesis_source
from app.i18n import error_text
from boards import exports, synthesis
from boards.clock import iso
from boards.errors import Conflict
from boards.exports.store import ExportStore
from boards.models import DocumentVersion, Process
from boards.processes import get_process

router = APIRouter(tags=["synthesis"])

Format = Literal["md", "html", "docx", "odt", "pdf"]


class StatementCreate(BaseModel):
    text: str
    line: int | None = None
    sources: list[int] = Field(default_factory=list)


class StatementUpdate(BaseModel):
    text: str | None = None
    sources: list[int] | None = None
    position: int | None = None
    # The `sha256` of the statement the change started from: when given, a statement changed
    # by someone else since answers 409 instead of being replaced.
    base_sha256: str | None = Field(default=None, max_length=64)


class LineUpdate(BaseModel):
    description: str


class Approve(BaseModel):
    # Why a new version is made (a correction), as for the verbale.
    note: str = ""


class Publish(BaseModel):
    version: int | None = None


def export(store: ExportStore, process: Process, document: DocumentVersion, fmt: str, *,
           public: bool = False) -> Response:
    """The document as a file of format `fmt`, named after the process and the version."""
    content = document_file(store, document, synthesis_source(process, document, public=public), fmt)
    which = "bozza" if document.version == 0 else f"v{document.version}"
    name = f"sintesi-{process.id}-{which}{'-pubblica' if public else ''}.{exports.EXTENSIONS[fmt]}"
    return Response(content, media_type=exports.MEDIA_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             # A draft changes with the record: never serve one from a cache.
                             "Cache-Control": "no-store"})


def version_view(document: DocumentVersion) -> dict:
    return {"version": document.version, "sha256": document.sha256, "approved_at": iso(document.approved_at),
            "approved_by": document.approved_by, "note": document.note,
            "published_at": iso(document.published_at)}


@router.get("/processes/{process_id}/synthesis")
def get_synthesis(process_id: int, actor: CurrentActor, session: SessionDep, store: ExportStoreDep,
                  format: Format = "md", version: int | None = Query(default=None, ge=1)) -> Response:
    """The synthesis document as a file: staff get the draft, members the latest approved version."""
    process = get_process(session, process_id)
    document = synthesis.document(session, actor=actor, process_id=process_id, version=version)
    # Staff reading the draft bring it up to date with the record: keep that.
    session.commit()
    return export(store, process, document, format)


@router.post("/processes/{process_id}/synthesis/approve")
def approve_synthesis(process_id: int, actor: CurrentActor, session: SessionDep, store: ExportStoreDep,
                      tasks: BackgroundTasks, body: Approve | None = None) -> dict:
    """Freeze the draft as the next version (staff)."""
    document = synthesis.approve(session, actor=actor, process_id=process_id, note=body.note if body else "")
    session.commit()
    prepare(tasks, store, synthesis_source(get_process(session, process_id), document))
    return {"version": document.version, "sha256": document.sha256}


@router.get("/processes/{process_id}/synthesis/versions")
def list_versions(process_id: int, actor: CurrentActor, session: SessionDep) -> list[dict]:
    """The approved versions, oldest first (members of the whole process; extension)."""
    return [version_view(v) for v in synthesis.history(session, actor=actor, process_id=process_id)]


@router.post("/processes/{process_id}/synthesis/publish")
def publish_synthesis(process_id: int, actor: CurrentActor, session: SessionDep, store: ExportStoreDep,
                      tasks: BackgroundTasks, body: Publish | None = None) -> dict:
    """Publish an approved version, the latest by default, in its pseudonymised form (staff; extension)."""
    document = synthesis.publish(session, actor=actor, process_id=process_id,
                                 version=body.version if body else None)
    session.commit()
    prepare(tasks, store, synthesis_source(get_process(session, process_id), document, public=True))
    return version_view(document)


@router.get("/processes/{process_id}/synthesis/public")
def public_synthesis(process_id: int, _actor: OptionalActor, session: SessionDep, store: ExportStoreDep,
                     format: Format = "md") -> Response:
    """The published synthesis, people pseudonymised, organisations named (anyone; extension)."""
    process = get_process(session, process_id)
    return export(store, process, synthesis.published(session, process_id=process_id), format, public=True)


@router.get("/processes/{process_id}/synthesis/statements")
def list_statements(process_id: int, actor: CurrentActor, session: SessionDep) -> dict:
    """Lines of work with their statements and the statements outside any line (staff; extension)."""
    get_process(session, process_id)
    return synthesis.outline(session, actor=actor, process_id=process_id)


@router.post("/processes/{process_id}/synthesis/statements", status_code=201)
def add_statement(process_id: int, body: StatementCreate, actor: CurrentActor, session: SessionDep) -> dict:
    """Add a statement at the end of a line of work, or of the general remarks (staff; extension)."""
    get_process(session, process_id)
    statement = synthesis.add_statement(session, actor=actor, process_id=process_id, text=body.text,
                                        line_id=body.line, item_ids=body.sources)
    session.commit()
    return synthesis.statement_view(statement, synthesis.sources_of(session, [statement.id])[statement.id])


@router.patch("/synthesis/statements/{statement_id}")
def update_statement(statement_id: int, body: StatementUpdate, actor: CurrentActor, session: SessionDep) -> dict:
    """Change a statement's text, sources or position in its line (staff; extension; 409 if stale)."""
    statement = synthesis.get_statement(session, statement_id)
    if body.text is not None or body.sources is not None or body.position is None:
        try:
            synthesis.update_statement(session, actor=actor, statement_id=statement_id, text=body.text,
                                       item_ids=body.sources, base_sha256=body.base_sha256)
        except Conflict as error:
            session.rollback()
            current = synthesis.get_statement(session, statement_id)
            view = synthesis.statement_view(current, synthesis.sources_of(session, [current.id])[current.id])
            return JSONResponse({"detail": error_text(error), "current": view}, status_code=409)
    if body.position is not None:
        synthesis.move_statement(session, actor=actor, statement_id=statement_id, position=body.position)
    session.commit()
    return synthesis.statement_view(statement, synthesis.sources_of(session, [statement.id])[statement.id])


@router.delete("/synthesis/statements/{statement_id}", status_code=204)
def remove_statement(statement_id: int, actor: CurrentActor, session: SessionDep) -> Response:
    """Take a statement out of the document (staff; extension)."""
    synthesis.remove_statement(session, actor=actor, statement_id=statement_id)
    session.commit()
    return Response(status_code=204)


@router.get("/processes/{process_id}/synthesis/contributions")
def list_contributions(process_id: int, actor: CurrentActor, session: SessionDep, line: int | None = None,
                       q: str = Query(default="", max_length=200)) -> list[dict]:
    """Contributions a statement may cite, those of `line` first, filtered by `q` (staff; extension)."""
    get_process(session, process_id)
    return [c.view() for c in synthesis.suggest(session, actor=actor, process_id=process_id, line_id=line, query=q)]


@router.patch("/lines/{line_id}")
def describe_line(line_id: int, body: LineUpdate, actor: CurrentActor, session: SessionDep) -> dict:
    """Describe a line of work for the synthesis (staff; extension)."""
    line = synthesis.describe_line(session, actor=actor, line_id=line_id, description=body.description)
    session.commit()
    return synthesis.line_view(line)
