"""The files of the record as the routes serve them: an approved version's from the store on
disk, made in the background as soon as it is approved or published (boards/exports/store.py,
docs/exports.md "Stored files"); a draft's rendered at each download."""

from __future__ import annotations

from typing import Annotated

from fastapi import BackgroundTasks, Depends
from sqlmodel import Session

from app.deps import SettingsDep
from boards import exports, minutes, minutes_versions, synthesis
from boards.exports.store import ExportStore
from boards.models import DocumentVersion, Process

# The Markdown of a file and its letterhead: together, all that the file is made from.
Source = tuple[str, exports.Letterhead]


def export_store(settings: SettingsDep) -> ExportStore:
    return ExportStore(settings.data_dir / "exports")


ExportStoreDep = Annotated[ExportStore, Depends(export_store)]


def document_file(store: ExportStore, document: DocumentVersion, source: Source, fmt: str) -> bytes:
    """The version's text or public form (`source`) as a file of format `fmt`: stored for an
    approved version, whose text never changes, rendered anew for the draft."""
    markdown, letterhead = source
    if document.version >= 1:
        return store.render(markdown, fmt, letterhead)
    return exports.render(markdown, fmt, letterhead)


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
