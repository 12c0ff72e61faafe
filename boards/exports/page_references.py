"""pydyf's page references, built once per page count instead of once per use.

`pydyf.PDF.page_references` builds a tuple of every page's reference each time it is read,
and WeasyPrint's PDF tags read it once per tagged box: for the verbale of 2,000
contributions (200 pages, 48,000 tagged boxes) that is 10 million references built, about
7% of the CPU of the whole export. The cached tuple is rebuilt whenever a page is
added, so every reader sees what the uncached property would have returned.
"""

from __future__ import annotations

import pydyf

_uncached = pydyf.PDF.page_references.fget


def _page_references(pdf: pydyf.PDF) -> tuple[bytes, ...]:
    pages = len(pdf.pages["Kids"])
    cached = pdf.__dict__.get("_tavolo_page_references")
    if cached is None or cached[0] != pages:
        cached = pdf.__dict__["_tavolo_page_references"] = (pages, _uncached(pdf))
    return cached[1]


def install() -> None:
    """Make every `pydyf.PDF` cache its page references (idempotent)."""
    if pydyf.PDF.page_references.fget is not _page_references:
        pydyf.PDF.page_references = property(_page_references)
