"""The record as a tagged PDF/A-3b, typeset by Typst (`document.typ`) from the Markdown.

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
import unicodedata
from functools import cache
from pathlib import Path

import orjson
import typst
from fontTools.ttLib import TTFont
from markdown_it.tree import SyntaxTreeNode

from boards import charts
from boards.exports.letterhead import Letterhead, page_of
from boards.exports.markdown import parse, table_rows

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
# A run of this many characters with no break opportunity gets one (an invisible zero-width
# space): a long link or word wraps instead of running off the page, and no line's text
# outgrows the longest string PDF/A allows (32,767 bytes). Never inside an emoji sequence or
# before a combining mark.
_JOINED = "\u0300-\u036f\u200d\ufe00-\ufe0f\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f"
_UNBROKEN = re.compile(rf"[^\s\u200b]{{59}}[^\s\u200b\u200d](?=[^\s\u200b{_JOINED}])")


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


@cache
def _compiler() -> typst.Compiler:
    """One per process: the fonts are read once, and Typst keeps what it laid out before."""
    fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=False,
                        font_paths=[str(FONTS), str(_dejavu_dir()), str(EMOJI.parent)])
    return typst.Compiler(TEMPLATE, root=TEMPLATE.parent, font_paths=fonts, ignore_system_fonts=True)


def render_pdf(markdown: str, letterhead: Letterhead) -> bytes:
    """The Markdown as a tagged PDF/A-3b document (internal links kept), with the exact
    Markdown bytes attached as its source, so that anyone can check them against the
    SHA-256 of the approved version."""
    page, of = page_of(letterhead.lang)
    head = dataclasses.asdict(dataclasses.replace(
        letterhead, administration=printable(letterhead.administration),
        title=printable(letterhead.title), status=printable(letterhead.status)))
    head.update({"page": page, "of": of, "source-name": SOURCE_NAME})
    document = {"letterhead": head, "blocks": blocks(markdown)}
    return _compiler().compile(
        format="pdf", pdf_standards="a-3b",
        sys_inputs={"document": orjson.dumps(document).decode(), "source": markdown})


# --- the Markdown as blocks ----------------------------------------------------------------

def blocks(markdown: str) -> list[dict]:
    """The Markdown's blocks as `document.typ` reads them: dicts whose "t" names the kind,
    inlines as strings (text) or dicts; every text made printable."""
    tree = parse(printable(markdown), charts=True)
    return _Reader(_ids(tree)).blocks(tree.children)


def _ids(tree: SyntaxTreeNode) -> frozenset[str]:
    """The anchors of the document: the targets internal links may lead to."""
    found, stack = set(), [tree]
    while stack:
        node = stack.pop()
        if node.type in ("list_item", "paragraph") and node.attrs.get("id"):
            found.add(str(node.attrs["id"]))
        stack.extend(node.children)
    return frozenset(found)


def _breakable(text: str) -> str:
    return _UNBROKEN.sub("\\g<0>\u200b", text)


class _Reader:
    def __init__(self, ids: frozenset[str]) -> None:
        self.ids = ids
        self.charts = 0

    def blocks(self, nodes: list[SyntaxTreeNode]) -> list[dict]:
        return [block for node in nodes if (block := self.block(node)) is not None]

    def block(self, node: SyntaxTreeNode) -> dict | None:
        kind = node.type
        if kind == "heading":
            return {"t": "heading", "level": min(int(node.tag[1]), 4), "c": self.inlines(node)}
        if kind == "paragraph":
            return self.anchored(node, {"t": "par", "c": self.inlines(node)})
        if kind in ("bullet_list", "ordered_list"):
            return {"t": "list", "ordered": kind == "ordered_list",
                    "start": int(node.attrs.get("start", 1)),
                    "items": [self.anchored(item, {"c": self.blocks(item.children)})
                              for item in node.children]}
        if kind == "blockquote":
            return {"t": "quote", "c": self.blocks(node.children)}
        if kind in ("code_block", "fence"):
            return {"t": "code", "v": _breakable(node.content.rstrip("\n"))}
        if kind == "hr":
            return {"t": "hr"}
        if kind == "table":
            rows = table_rows(node)
            header = [[self.inlines(cell) for cell in tr.children] for is_head, tr in rows if is_head]
            return {"t": "table",
                    "aligns": [_ALIGNS.get(str(cell.attrs.get("class", "")), "left")
                               for cell in rows[0][1].children],
                    "header": header,
                    "rows": [[self.inlines(cell) for cell in tr.children]
                             for is_head, tr in rows if not is_head]}
        if kind == "html_block" and "chart" in node.meta:
            self.charts += 1
            chart, caption = node.meta["chart"], node.meta["caption"]
            return {"t": "chart", "svg": charts.svg(chart, id=f"figure-{self.charts}"),
                    "alt": caption, "caption": [caption]}
        return None  # raw HTML is never parsed: the parser makes no other block

    def anchored(self, node: SyntaxTreeNode, block: dict) -> dict:
        if node.attrs.get("id"):
            block["id"] = str(node.attrs["id"])
        return block

    def inlines(self, node: SyntaxTreeNode) -> list:
        out: list = []
        for child in node.children:
            kind = child.type
            if kind == "inline":
                out.extend(self.inlines(child))
            elif kind == "text" and child.content:
                out.append(_breakable(child.content))
            elif kind == "softbreak":
                out.append(" ")
            elif kind == "hardbreak":
                out.append({"t": "br"})
            elif kind == "code_inline":
                out.append({"t": "code", "v": _breakable(child.content)})
            elif kind in ("strong", "em", "s"):
                out.append({"t": kind, "c": self.inlines(child)})
            elif kind == "link":
                out.append(self.link(str(child.attrs.get("href", "")), self.inlines(child)))
        return out

    def link(self, href: str, content: list) -> dict:
        if href.startswith("#") and href[1:] in self.ids:
            return {"t": "ref", "to": href[1:], "c": content}
        if href.lower().startswith(_LINK_SCHEMES):
            return {"t": "link", "url": href, "c": content}
        return {"t": "span", "c": content}
