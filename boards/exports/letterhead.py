"""What heads every exported document: the administration, the title, the status line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Letterhead:
    """The administration's name (top of the document), the title (metadata) and the status
    line printed in the footer of every page ("Bozza non approvata", or the approved
    version with its SHA-256)."""

    administration: str
    title: str
    status: str
    lang: str = "it"


# The footer's page numbering, in the document's language (Italian when unknown).
_PAGE_OF = {"it": ("Pagina", "di"), "en": ("Page", "of")}


def page_of(lang: str) -> tuple[str, str]:
    """The words around the page numbers: ("Pagina", "di") for "Pagina 1 di 3"."""
    return _PAGE_OF.get(lang, _PAGE_OF["it"])
