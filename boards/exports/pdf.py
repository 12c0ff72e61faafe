"""The record as a tagged PDF/A-3b, and PDF/UA-1 when its headings allow it, typeset by
Typst (`document.typ`) from the Markdown.

The Markdown is read into plain blocks and inlines (`blocks`), handed to Typst as JSON, and
laid out by `document.typ`: every text is a JSON string shown as it is, never read as Typst
markup, so no contribution can change the layout or load anything. Typst prints the
verbale of 2,000 contributions (200 pages) in about a second; WeasyPrint, which printed it
before from the HTML export, took 20 to 35 s (docs/performance.md).

Every page carries the administration's name at the top (but the first, which has the
letterhead), the status line and "Pagina N di M" at the bottom. Fonts are loaded from
known files, never chosen by the machine: Titillium Web (the Designers Italia typeface,
copied into `static/vendor/` by `scripts/setup`) for the text, DejaVu Sans for the glyphs it
lacks, the monochrome Noto Emoji (also from `static/vendor/`) for emoji, DejaVu Sans Mono
for code. Typst embeds (a subset of) every font it uses, as PDF/A requires. A character
none of them can draw (private use, some rare scripts) is printed as U+FFFD "�": PDF/A
forbids showing the .notdef glyph, and a reader could not copy it back anyway.
"""

from __future__ import annotations

import dataclasses
import re
import threading
import unicodedata
from functools import cache
from pathlib import Path

import orjson
import typst
from fontTools.ttLib import TTFont
from markdown_it.token import Token

from boards import charts
from boards.exports.letterhead import Letterhead, page_of
from boards.exports.markdown import tokens

TEMPLATE = Path(__file__).with_name("document.typ")
VENDOR = Path(__file__).resolve().parents[2] / "static/vendor"
FONTS = VENDOR / "bootstrap-italia/fonts/Titillium_Web"
# The whole font as TrueType (Typst reads no WOFF), converted by scripts/setup: an emoji
# sequence (a family, a flag) is drawn only when all of its characters are in one font.
EMOJI = VENDOR / "noto-emoji/NotoEmoji-Regular.ttf"
# Where Debian (fonts-dejavu-core, a dependency of fontconfig), Fedora and Arch put DejaVu.
_DEJAVU_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu-sans-fonts",
                "/usr/share/fonts/dejavu", "/usr/share/fonts/TTF")
REPLACEMENT = "\ufffd"
# The name of the attached Markdown source (PDF/A-3 allows embedded files).
SOURCE_NAME = "documento.md"
# Links that lead somewhere from a printed page; any other (a path of the app) stays text.
_LINK_SCHEMES = ("https://", "http://", "mailto:")
_ALIGNS = {"text-center": "center", "text-end": "right"}
# The heading of an annex (the verbale's contributions, the synthesis's cited ones) opens a page.
_ANNEX = re.compile(r"(Allegato|Annex)\b")
# A run of 80 characters with no break opportunity gets one (an invisible zero-width space):
# a long link or word wraps instead of running off the page, and no line's text outgrows the
# longest string PDF/A allows (32,767 bytes). A SHA-256 (64 characters) stays whole, to be
# copied; no break goes inside an emoji sequence or before a combining mark.
_JOINED = "\u0300-\u036f\u200d\ufe00-\ufe0f\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f"
_UNBROKEN = re.compile(rf"[^\s\u200b]{{79}}[^\s\u200b\u200d](?=[^\s\u200b{_JOINED}])")


def _dejavu_dir() -> Path:
    for directory in _DEJAVU_DIRS:
        if (Path(directory) / "DejaVuSans.ttf").is_file():
            return Path(directory)
    return Path(_DEJAVU_DIRS[0])


def _regular_faces() -> tuple[Path, ...]:
    dejavu = _dejavu_dir()
    return (FONTS / "titillium-web-v10-latin-ext_latin-regular.ttf", dejavu / "DejaVuSans.ttf",
            EMOJI, dejavu / "DejaVuSansMono.ttf")


@cache
def _drawable() -> frozenset[int]:
    """The code points the regular faces can draw."""
    points: set[int] = set()
    for path in _regular_faces():
        if path.is_file():
            points.update(TTFont(path, lazy=True).getBestCmap())
    return frozenset(points)


def printable(text: str) -> str:
    """The text with what no font can draw replaced by U+FFFD; invisible format characters
    (emoji joiners, variation selectors) that no font has are dropped, line and paragraph
    separators become spaces."""
    drawable = _drawable()
    # Without DejaVu (not a Debian system), even U+FFFD may have no glyph.
    replacement = REPLACEMENT if ord(REPLACEMENT) in drawable else "?"
    replacements: dict[int, str] = {}
    for char in set(text):
        category = unicodedata.category(char)
        if category in ("Zl", "Zp"):
            # A line separator typed into a note is no line of the document.
            replacements[ord(char)] = " "
        elif ord(char) in drawable or category == "Cc":
            continue
        elif category in ("Cf", "Mn", "Me"):
            replacements[ord(char)] = ""
        elif not char.isspace():  # the other spaces are spaces to the typesetter
            replacements[ord(char)] = replacement
    return text.translate(replacements) if replacements else text


# A compiler runs one compilation at a time ("Already borrowed" otherwise): threads printing
# at once (with TAVOLO_PRINT_WORKERS=0) take turns.
_COMPILING = threading.Lock()


@cache
def _compiler() -> typst.Compiler:
    """One per process: the fonts are read once, and Typst keeps what it laid out before."""
    fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=False,
                        font_paths=[str(FONTS), str(_dejavu_dir()), str(EMOJI.parent)])
    return typst.Compiler(TEMPLATE, root=TEMPLATE.parent, font_paths=fonts, ignore_system_fonts=True)


def render_pdf(markdown: str, letterhead: Letterhead) -> bytes:
    """The Markdown as a tagged PDF/A-3b document, PDF/UA-1 (accessible) too when its
    headings allow it, internal links kept, with the exact
    Markdown bytes attached as its source, so that anyone can check them against the
    SHA-256 of the approved version."""
    page, of = page_of(letterhead.lang)
    head = dataclasses.asdict(dataclasses.replace(
        letterhead, administration=_breakable(printable(letterhead.administration)),
        title=printable(letterhead.title), status=_breakable(printable(letterhead.status)),
        # Typst refuses any other language tag than ISO 639's letters.
        lang=letterhead.lang if re.fullmatch("[a-z]{2,3}", letterhead.lang) else "it"))
    head.update({"page": page, "of": of, "source-name": SOURCE_NAME})
    document = {"letterhead": head, "blocks": blocks(markdown)}
    inputs = {"document": orjson.dumps(document).decode(), "source": markdown}
    with _COMPILING:
        try:
            return _compiler().compile(format="pdf", pdf_standards=["a-3b", "ua-1"], sys_inputs=inputs)
        except typst.TypstError as error:
            # PDF/UA-1 wants the headings to start at level 1 and skip none, as the generated
            # verbale and synthesis do and an edited draft may not: such a document is
            # printed as PDF/A-3b alone, as tagged as the other.
            if "PDF/UA-1" not in str(error):
                raise
            return _compiler().compile(format="pdf", pdf_standards="a-3b", sys_inputs=inputs)


# --- the Markdown as blocks ----------------------------------------------------------------

def blocks(markdown: str) -> list[dict]:
    """The Markdown's blocks as `document.typ` reads them: dicts whose "t" names the kind,
    inlines as strings (text) or dicts; every text made printable."""
    stream = tokens(printable(markdown))
    ids = frozenset(str(token.attrs["id"]) for token in stream if "id" in token.attrs)
    return _Reader(stream, ids).blocks(0, None)[0]


def _breakable(text: str) -> str:
    return _UNBROKEN.sub("\\g<0>\u200b", text)


class _Reader:
    """Reads markdown-it's token stream: a block's `_open` token, its content, its `_close`."""

    def __init__(self, stream: list[Token], ids: frozenset[str]) -> None:
        self.stream = stream
        self.ids = ids  # the anchors: the targets internal links may lead to
        self.charts = 0

    def blocks(self, index: int, until: str | None) -> tuple[list[dict], int]:
        """The blocks from `index` to the token of type `until`, and the index after it."""
        stream, out = self.stream, []
        while index < len(stream) and stream[index].type != until:
            token = stream[index]
            kind = token.type
            index += 1
            if kind == "heading_open":
                content = self.inlines(stream[index])
                out.append({"t": "heading", "level": min(int(token.tag[1]), 4), "c": content,
                            "new-page": token.tag == "h2" and bool(_ANNEX.match(_plain(content)))})
                index += 2
            elif kind == "paragraph_open":
                out.append(self.anchored(token, {"t": "par", "c": self.inlines(stream[index])}))
                index += 2
            elif kind in ("bullet_list_open", "ordered_list_open"):
                items, close = [], kind.replace("_open", "_close")
                while stream[index].type != close:
                    item = stream[index]
                    content, index = self.blocks(index + 1, "list_item_close")
                    items.append(self.anchored(item, {"c": content}))
                out.append({"t": "list", "ordered": kind == "ordered_list_open",
                            "start": int(token.attrs.get("start", 1)), "items": items})
                index += 1
            elif kind == "blockquote_open":
                content, index = self.blocks(index, "blockquote_close")
                out.append({"t": "quote", "c": content})
            elif kind in ("code_block", "fence"):
                out.append({"t": "code", "v": _breakable(token.content.rstrip("\n"))})
            elif kind == "hr":
                out.append({"t": "hr"})
            elif kind == "table_open":
                table, index = self.table(index)
                out.append(table)
            elif kind == "html_block" and "chart" in token.meta:
                self.charts += 1
                chart, caption = token.meta["chart"], token.meta["caption"]
                out.append({"t": "chart", "svg": charts.svg(chart, id=f"figure-{self.charts}"),
                            "alt": caption, "caption": [caption]})
            # Raw HTML is never parsed: the parser makes no other block.
        return out, index + 1

    def table(self, index: int) -> tuple[dict, int]:
        """The table whose content starts at `index` (its cells' inlines by row, the header's
        apart), and the index after it."""
        stream, header, rows, aligns = self.stream, [], [], []
        while stream[index].type != "table_close":
            token = stream[index]
            if token.type == "tr_open":
                (header if stream[index - 1].type == "thead_open" else rows).append([])
            elif token.type in ("th_open", "td_open"):
                if not rows and len(header) == 1:
                    aligns.append(_ALIGNS.get(str(token.attrs.get("class", "")), "left"))
                (rows or header)[-1].append(self.inlines(stream[index + 1]))
            index += 1
        return {"t": "table", "aligns": aligns, "header": header, "rows": rows}, index + 1

    def anchored(self, token: Token, block: dict) -> dict:
        if "id" in token.attrs:
            block["id"] = str(token.attrs["id"])
        return block

    def inlines(self, inline: Token) -> list:
        """An inline token's content: strings, and dicts for emphasis, code, links, breaks."""
        out: list = []
        stack = [out]
        for child in inline.children or ():
            kind = child.type
            if kind == "text":
                if child.content:
                    stack[-1].append(_breakable(child.content))
            elif kind == "softbreak":
                stack[-1].append(" ")
            elif kind == "hardbreak":
                stack[-1].append({"t": "br"})
            elif kind == "code_inline":
                stack[-1].append({"t": "code", "v": _breakable(child.content)})
            elif kind in ("strong_open", "em_open", "s_open", "link_open"):
                node = (self.link(str(child.attrs.get("href", ""))) if kind == "link_open"
                        else {"t": kind.removesuffix("_open"), "c": []})
                stack[-1].append(node)
                stack.append(node["c"])
            elif kind.endswith("_close") and len(stack) > 1:
                stack.pop()
        return out

    def link(self, href: str) -> dict:
        if href.startswith("#") and href[1:] in self.ids:
            return {"t": "ref", "to": href[1:], "c": []}
        if href.lower().startswith(_LINK_SCHEMES):
            return {"t": "link", "url": href, "c": []}
        return {"t": "span", "c": []}


def _plain(content: list) -> str:
    return "".join(node if isinstance(node, str) else _plain(node.get("c", [])) for node in content)
