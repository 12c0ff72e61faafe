"""Exports of the record (verbale, synthesis): Markdown → md, html, docx, odt, pdf.

Each format is laid out as an Italian administrative document: the administration's name
as letterhead, the document's headings and tables (with borders and header rows), the
status line and "Pagina N di M" in the footer of every page (PDF, DOCX, ODT), A4. The PDF
is PDF/A-3b. `md` is the exact bytes of the Markdown, whose SHA-256 an approved version
records. See `boards/exports/markdown.py` for the Markdown subset and the contribution
anchors (`**C12**` … `[C12](#c12)`), `boards/exports/tables.py` for CSV and XLSX,
`boards/exports/store.py` for the files of approved versions kept on disk, and
docs/exports.md for the design.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from functools import lru_cache

from boards.exports.docx import render_docx
from boards.exports.html import document
from boards.exports.letterhead import Letterhead
from boards.exports.markdown import to_html, writable
from boards.exports.odt import render_odt

__all__ = ["EXTENSIONS", "MEDIA_TYPES", "Letterhead", "html_fragment", "render"]

MEDIA_TYPES: dict[str, str] = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "pdf": "application/pdf",
}

EXTENSIONS: dict[str, str] = {fmt: fmt for fmt in MEDIA_TYPES}


def _md(markdown: str, letterhead: Letterhead) -> bytes:
    return markdown.encode("utf-8")


def _html(markdown: str, letterhead: Letterhead) -> bytes:
    return document(markdown, letterhead).encode("utf-8")


# Printing a 2,000-contribution verbale takes a few seconds: the last few PDFs are kept (a few
# MB at most each), for a draft downloaded again unchanged.
# Approved versions are kept on disk instead (boards/exports/store.py).
@lru_cache(maxsize=16)
def _pdf(markdown: str, letterhead: Letterhead) -> bytes:
    # Imported when used: Typst and the fonts are a cost only PDFs should pay.
    from boards.exports.pdf import render_pdf

    return render_pdf(markdown, letterhead)


_RENDERERS: dict[str, Callable[[str, Letterhead], bytes]] = {
    "md": _md,
    "html": _html,
    "docx": render_docx,
    "odt": render_odt,
    "pdf": _pdf,
}


def render(markdown: str, fmt: str, letterhead: Letterhead) -> bytes:
    """The Markdown as a document of format `fmt` (one of MEDIA_TYPES).

    Raises ValueError for an unknown format.
    """
    renderer = _RENDERERS.get(fmt)
    if renderer is None:
        raise ValueError(f"Unknown export format {fmt!r}: expected one of {', '.join(MEDIA_TYPES)}")
    if fmt != "md":
        letterhead = dataclasses.replace(
            letterhead, administration=writable(letterhead.administration),
            title=writable(letterhead.title), status=writable(letterhead.status))
    return renderer(markdown, letterhead)


def html_fragment(markdown: str) -> str:
    """Safe HTML for previews and pages: raw HTML in the Markdown is escaped, never kept."""
    return to_html(markdown)
