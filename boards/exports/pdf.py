"""The record as PDF/A-3b, printed by WeasyPrint from the HTML document.

Every page carries the administration's name at the top (but the first, which has the
letterhead), the status line and "Pagina N di M" at the bottom. Fonts are loaded from
known files, never chosen by the machine: Titillium Web (the Designers Italia typeface,
copied into `static/vendor/` by `scripts/setup`) for the text, DejaVu Sans for the glyphs it
lacks, the monochrome Noto Emoji (also from `static/vendor/`) for emoji, DejaVu Sans Mono
for code. WeasyPrint embeds (a subset of) every font it uses, as PDF/A requires. A character
none of them can draw (private use, some rare scripts) is printed as U+FFFD "�": PDF/A
forbids showing the .notdef glyph, and a reader could not copy it back anyway.
Nothing is fetched: the only resources the document may load are those font files.
"""

from __future__ import annotations

import dataclasses
import io
import unicodedata
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont
from weasyprint import Attachment, HTML
from weasyprint.urls import URLFetcher

from boards.exports import page_references
from boards.exports.html import document
from boards.exports.letterhead import Letterhead, page_of

page_references.install()

VENDOR = Path(__file__).resolve().parents[2] / "static/vendor"
FONTS = VENDOR / "bootstrap-italia/fonts/Titillium_Web"
# The whole font, not one of the slices browsers load by unicode-range: an emoji sequence
# (a family, a flag) is drawn only when all of its characters are in one font.
EMOJI = VENDOR / "noto-emoji/noto-emoji-regular.woff"
# Where Debian (fonts-dejavu-core, a dependency of fontconfig), Fedora and Arch put DejaVu.
_DEJAVU_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu-sans-fonts",
                "/usr/share/fonts/dejavu", "/usr/share/fonts/TTF")
REPLACEMENT = "\ufffd"
# Interlinear annotation marks: DejaVu has them, Pango still shows them as .notdef (found by
# printing every assigned code point).
_NOTDEF_IN_PANGO = frozenset("\ufff9\ufffa\ufffb")
# The name of the attached Markdown source (PDF/A-3 allows embedded files).
SOURCE_NAME = "documento.md"


def _dejavu(name: str) -> Path:
    for directory in _DEJAVU_DIRS:
        if (path := Path(directory) / name).is_file():
            return path
    return Path(_DEJAVU_DIRS[0]) / name


# (family, weight, style, file). Families with our own names, so that no installed font
# of the same name can stand in for them.
_FACES = (
    ("Tavolo Text", "400", "normal", FONTS / "titillium-web-v10-latin-ext_latin-regular.ttf"),
    ("Tavolo Text", "400", "italic", FONTS / "titillium-web-v10-latin-ext_latin-italic.ttf"),
    ("Tavolo Text", "700", "normal", FONTS / "titillium-web-v10-latin-ext_latin-700.ttf"),
    ("Tavolo Text", "700", "italic", FONTS / "titillium-web-v10-latin-ext_latin-700italic.ttf"),
    ("Tavolo Fallback", "400", "normal", _dejavu("DejaVuSans.ttf")),
    ("Tavolo Fallback", "400", "italic", _dejavu("DejaVuSans-Oblique.ttf")),
    ("Tavolo Fallback", "700", "normal", _dejavu("DejaVuSans-Bold.ttf")),
    ("Tavolo Fallback", "700", "italic", _dejavu("DejaVuSans-BoldOblique.ttf")),
    ("Tavolo Emoji", "400", "normal", EMOJI),
    ("Tavolo Mono", "400", "normal", _dejavu("DejaVuSansMono.ttf")),
    ("Tavolo Mono", "700", "normal", _dejavu("DejaVuSansMono-Bold.ttf")),
)
_FONT_URLS = frozenset(path.as_uri() for *_, path in _FACES)
_TEXT_FAMILIES = '"Tavolo Text", "Tavolo Fallback", "Tavolo Emoji"'


@cache
def _drawable() -> frozenset[int]:
    """The code points the regular faces can draw."""
    points: set[int] = set()
    for _, weight, style, path in _FACES:
        if weight == "400" and style == "normal" and path.is_file():
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
            # Pango shows line and paragraph separators as .notdef, even from fonts that have them.
            replacements[ord(char)] = " "
        elif char in _NOTDEF_IN_PANGO:
            replacements[ord(char)] = ""
        elif ord(char) in drawable or category == "Cc":
            continue
        elif category in ("Cf", "Mn", "Me"):
            replacements[ord(char)] = ""
        elif not char.isspace():  # Pango spaces out the other spaces itself
            replacements[ord(char)] = replacement
    return text.translate(replacements) if replacements else text


def _css_string(text: str) -> str:
    """`text` as a CSS string literal: anything but letters, digits and spaces hex-escaped,
    so no status line can end the string or the rule. The space after each escape ends it
    and is consumed by the CSS parser."""
    return '"' + "".join(
        ch if ch.isascii() and (ch.isalnum() or ch == " ") else f"\\{ord(ch):x} " for ch in text
    ) + '"'


def _font_faces() -> str:
    return "".join(
        f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
        f'font-style: {style}; src: url("{path.as_uri()}"); }}\n'
        for family, weight, style, path in _FACES
        if path.is_file()
    )


def _page_css(letterhead: Letterhead) -> str:
    page, of = page_of(letterhead.lang)
    margin_box = f"font-family: {_TEXT_FAMILIES}; font-size: 8.5pt; color: #333;"
    return (
        _font_faces()
        + f"html {{ font-family: {_TEXT_FAMILIES}; }}\n"
        'code, pre { font-family: "Tavolo Mono", "Tavolo Fallback", "Tavolo Emoji"; }\n'
        "@page { size: A4; margin: 22mm 20mm 24mm 22mm;\n"
        f"  @top-center {{ content: {_css_string(letterhead.administration)}; {margin_box}\n"
        "    width: 100%; vertical-align: bottom; padding-bottom: 3mm;\n"
        "    border-bottom: 0.5pt solid #8a9aab; }\n"
        f"  @bottom-left {{ content: {_css_string(letterhead.status)}; {margin_box}\n"
        "    width: 75%; overflow-wrap: anywhere; vertical-align: top; padding-top: 3mm; }\n"
        f'  @bottom-right {{ content: {_css_string(page + " ")} counter(page) '
        f'{_css_string(" " + of + " ")} counter(pages); {margin_box}\n'
        "    vertical-align: top; padding-top: 3mm; }\n}\n"
        "@page :first { @top-center { content: none; border: 0; } }\n"
        "body { max-width: none; margin: 0; padding: 0; }\n"
        ":target { background: none; }\n"
    )


class _FontsOnly(URLFetcher):
    """Fetches the font files and nothing else (no network, no other local file)."""

    def fetch(self, url, headers=None):
        if url not in _FONT_URLS:
            raise ValueError(f"the document may not load {url!r}")
        return super().fetch(url, headers)


def render_pdf(markdown: str, letterhead: Letterhead) -> bytes:
    """The Markdown as a tagged PDF/A-3b document (internal links kept), with the exact
    Markdown bytes attached as its source, so that anyone can check them against the
    SHA-256 of the approved version."""
    printed = dataclasses.replace(
        letterhead, administration=printable(letterhead.administration),
        title=printable(letterhead.title), status=printable(letterhead.status))
    html = document(printable(markdown), printed, extra_css=_page_css(printed))
    source = Attachment(file_obj=io.BytesIO(markdown.encode("utf-8")), name=SOURCE_NAME,
                        description=letterhead.status, relationship="Source")
    return HTML(string=html, url_fetcher=_FontsOnly(allowed_protocols=("file",))).write_pdf(
        pdf_variant="pdf/a-3b",
        # Tags give the PDF a structure (headings, lists, tables) that screen readers follow.
        pdf_tags=True,
        # Presentational hints honour HTML attributes such as <ol start="4">.
        presentational_hints=True,
        attachments=[source],
    )
