"""The record as a whole HTML5 document (a downloaded file, not a page of the app).

Its stylesheet is also the model of the PDF's layout (`boards/exports/document.typ`). It
holds no script; every text in it is escaped.
"""

from __future__ import annotations

from html import escape
from importlib import resources

from boards.exports.letterhead import Letterhead
from boards.exports.markdown import to_html

STYLESHEET = resources.files("boards.exports").joinpath("document.css").read_text("utf-8")


def document(markdown: str, letterhead: Letterhead) -> str:
    """The Markdown laid out under its letterhead, as a complete HTML5 document."""
    lang = escape(letterhead.lang)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(letterhead.title)}</title>\n"
        f'<meta name="author" content="{escape(letterhead.administration)}">\n'
        f'<meta name="description" content="{escape(letterhead.status)}">\n'
        '<meta name="generator" content="Tavolo">\n'
        f"<style>\n{STYLESHEET}</style>\n</head>\n<body>\n"
        '<header class="letterhead">\n'
        f'<p class="administration">{escape(letterhead.administration)}</p>\n'
        f'<p class="status">{escape(letterhead.status)}</p>\n'
        "</header>\n<main>\n"
        f"{to_html(markdown)}"
        "</main>\n</body>\n</html>\n"
    )
