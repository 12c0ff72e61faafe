"""The files of the record as the routes serve them: an approved version's from the store on
disk, made in the background as soon as it is approved or published (boards/exports/store.py,
docs/exports.md "Stored files"); a draft's rendered at each download. PDF, DOCX and ODT are
printed by the server's printer, in a worker process (app/printing.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import BackgroundTasks, Depends, HTTPException, Request
from sqlmodel import Session

from app.deps import SettingsDep
from app.i18n import gettext
from app.printing import Printer, PrinterCrashed
from boards import exports, minutes, minutes_versions, synthesis
from boards.exports.store import ExportStore
from boards.models import DocumentVersion, Process

# The Markdown of a file and its letterhead: together, all that the file is made from.
Source = tuple[str, exports.Letterhead]


# Seconds a client is asked to wait before asking again for a file whose print failed: a new
# worker is ready at once, this only keeps a client from retrying in a tight loop.
RETRY_AFTER_SECONDS = 5


def get_printer(request: Request) -> Printer:
    return request.app.state.printer


def export_store(settings: SettingsDep, printer: Annotated[Printer, Depends(get_printer)]) -> ExportStore:
    return ExportStore(settings.data_dir / "exports", renderer=printer.render)


ExportStoreDep = Annotated[ExportStore, Depends(export_store)]


def document_file(store: ExportStore, document: DocumentVersion, source: Source, fmt: str) -> bytes:
    """The version's text or public form (`source`) as a file of format `fmt`: stored for an
    approved version, whose text never changes, rendered anew for the draft. Raises a 503
    HTTPException when the print worker died while printing it (the next request gets a new one)."""
    markdown, letterhead = source
    try:
        if document.version >= 1:
            return store.render(markdown, fmt, letterhead)
        return store.renderer(markdown, fmt, letterhead)
    except PrinterCrashed as error:
        raise HTTPException(503, gettext("The document could not be printed: try again in a moment"),
                            headers={"Retry-After": str(RETRY_AFTER_SECONDS)}) from error


def prepare(tasks: BackgroundTasks, store: ExportStore, source: Source) -> None:
    """Make the files of a text just frozen once the response is sent, so that the approval
    returns at once and the first download finds them ready."""
    tasks.add_task(store.prepare, *source)


def minutes_source(session: Session, document: DocumentVersion, *, public: bool = False) -> Source:
    """What a file of this verbale version is made from: its text, or its published,
    pseudonymised form, and the letterhead that goes with it."""
    if public:
        return document.public_markdown, minutes_versions.public_letterhead(session, document=document)
    return document.markdown, minutes.letterhead(session, document=document)


def synthesis_source(process: Process, document: DocumentVersion, *, public: bool = False) -> Source:
    """What a file of this synthesis version is made from, as `minutes_source`."""
    markdown = document.public_markdown if public else document.markdown
    return markdown, synthesis.letterhead(process, document, public=public)
