"""The Markdown of the record (verbale, synthesis), parsed once for every export format.

CommonMark with GFM tables and strikethrough. Raw HTML is never passed through (it shows as
text) and images are not parsed, so no document ever fetches anything. An annex item or
paragraph that begins with a bold contribution label (`**C12**`) gets the anchor id `c12`,
so references written `[C12](#c12)` link to it in every format.

Charts: an italic paragraph that names a chart (`*Grafico a barre: Contributi per tipo di
ente*`, see CHART_MARKER) right before a table is drawn, in HTML and PDF, as an SVG chart of
that table's figures (boards/charts.py); the paragraph becomes its caption and the table
stays below it. Other formats keep the paragraph and the table as they are. See
docs/exports.md ("Charts").
"""

from __future__ import annotations

import re

from decimal import Decimal, InvalidOperation
from html import escape

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode

from boards import charts

CONTRIBUTION_LABEL = re.compile(r"C[1-9][0-9]*")
# What XML (DOCX, ODT) cannot hold and HTML calls a parse error: control characters but
# tab and line ends, lone surrogates, noncharacters. Dropped from the rendered text.
_UNWRITABLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    + "".join(f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(1, 17))
    + "]"
)

# GFM alignment as classes (Bootstrap Italia's names) instead of style attributes, which the
# pages' Content-Security-Policy would refuse.
_ALIGN_CLASSES = {
    "text-align:left": "text-start",
    "text-align:center": "text-center",
    "text-align:right": "text-end",
}


# The words that open a chart's caption, in each language, and the chart they ask for.
CHART_MARKERS = {
    "Grafico a barre sovrapposte": ("it", charts.STACKED),
    "Grafico a barre": ("it", charts.BAR),
    "Grafico a gradini": ("it", charts.STEP),
    "Stacked bar chart": ("en", charts.STACKED),
    "Bar chart": ("en", charts.BAR),
    "Step chart": ("en", charts.STEP),
}
# More bars than a page can hold are no chart: the table alone says it better.
CHART_ROWS = 60
CHART_MARKER = re.compile("(" + "|".join(CHART_MARKERS) + r"): (.+)")
# Numbers as the documents write them: 1.234,50 in Italian, 1,234.50 in English.
_NUMBERS = {"it": re.compile(r"\d{1,3}(?:\.\d{3})*(?:,(\d+))?|\d+(?:,(\d+))?"),
            "en": re.compile(r"\d{1,3}(?:,\d{3})*(?:\.(\d+))?|\d+(?:\.(\d+))?")}


def _contribution_label(inline) -> str | None:
    """"C12" when the inline content starts with **C12**, else None."""
    # The inline rule may leave an empty text token before the first emphasis.
    children = [child for child in inline.children or [] if child.type != "text" or child.content]
    if (
        len(children) >= 3
        and children[0].type == "strong_open"
        and children[1].type == "text"
        and children[2].type == "strong_close"
        and CONTRIBUTION_LABEL.fullmatch(children[1].content)
    ):
        return children[1].content
    return None


def _anchors_and_classes(state: StateCore) -> None:
    tokens = state.tokens
    seen: set[str] = set()
    for index, token in enumerate(tokens):
        if token.type in ("th_open", "td_open") and token.attrs.get("style") in _ALIGN_CLASSES:
            token.attrSet("class", _ALIGN_CLASSES[str(token.attrs.pop("style"))])
        elif token.type == "table_open":
            token.attrSet("class", "table")
        elif token.type == "inline" and index >= 1 and tokens[index - 1].type == "paragraph_open":
            label = _contribution_label(token)
            if label is None or label.lower() in seen:
                continue  # ids must be unique: only the first item with a label is its target
            seen.add(label.lower())
            paragraph = tokens[index - 1]
            # The list item is the target when the label opens its first paragraph.
            if index >= 2 and tokens[index - 2].type == "list_item_open":
                tokens[index - 2].attrSet("id", label.lower())
            else:
                paragraph.attrSet("id", label.lower())


def _plain(inline: Token) -> tuple[str, bool]:
    """The text of an inline token (emphasis dropped), and whether it is all bold."""
    children = [child for child in inline.children or [] if child.type != "text" or child.content]
    text = "".join(child.content for child in children if child.type in ("text", "code_inline"))
    bold = len(children) >= 3 and children[0].type == "strong_open" and children[-1].type == "strong_close"
    return " ".join(text.split()), bold


def _number(text: str, lang: str) -> tuple[Decimal, int] | None:
    """The number a cell holds and its decimals, or None (then the table is no chart)."""
    match = _NUMBERS[lang].fullmatch(text)
    if match is None:
        return None
    fraction = match.group(1) or match.group(2) or ""
    thousands, point = (".", ",") if lang == "it" else (",", ".")
    try:
        return Decimal(text.replace(thousands, "").replace(point, ".")), len(fraction)
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        return None


def _chart(marker: str, tokens: list[Token], start: int) -> tuple[charts.Chart, int] | None:
    """The chart a caption asks for, from the table starting at tokens[start], and the index
    after the table; None when the table does not hold a chart's figures (then nothing is
    drawn: a hostile or odd table stays a table)."""
    found = CHART_MARKER.fullmatch(marker)
    if found is None:
        return None
    lang, kind = CHART_MARKERS[found.group(1)]
    rows: list[tuple[list[str], bool]] = []
    end = start
    while tokens[end].type != "table_close":
        if tokens[end].type == "tr_open":
            rows.append(([], False))
        elif tokens[end].type == "inline":
            text, bold = _plain(tokens[end])
            cells, total = rows[-1]
            rows[-1] = ([*cells, text], total or (not cells and bold))
        end += 1
    (header, _), body = rows[0], rows[1:]
    figures = [row for row, total in body if not total]
    if (len(header) < 2 or not figures or len(figures) > CHART_ROWS
            or any(len(row) != len(header) for row in figures)):
        return None
    columns: list[list[Decimal]] = [[] for _ in header[1:]]
    decimals = 0
    for row in figures:
        for index, cell in enumerate(row[1:]):
            number = _number(cell, lang)
            if number is None:
                return None
            columns[index].append(number[0])
            decimals = max(decimals, number[1])
    if kind == charts.BAR and len(columns) > 1:
        kind = charts.STACKED
    chart = charts.Chart(kind=kind, title=found.group(2).rstrip(". "), header=header[0],
                         rows=tuple(row[0] for row in figures),
                         columns=tuple(charts.Column(name, tuple(values)) for name, values in zip(header[1:], columns)),
                         decimals=decimals, lang=lang, total=len(figures) < len(body))
    return chart, end + 1


def _charts(state: StateCore) -> None:
    """Captioned tables become charts (HTML only: the env asks for them)."""
    if not state.env.get("charts"):
        return
    tokens, out, index, count = state.tokens, [], 0, 0
    while index < len(tokens):
        token = tokens[index]
        if (token.type == "paragraph_open" and index + 3 < len(tokens) and tokens[index + 3].type == "table_open"
                and tokens[index + 2].type == "paragraph_close"):
            children = [c for c in tokens[index + 1].children or [] if c.type != "text" or c.content]
            if len(children) == 3 and children[0].type == "em_open" and children[2].type == "em_close":
                made = _chart(" ".join(children[1].content.split()), tokens, index + 3)
                if made is not None:
                    count += 1
                    chart, _end = made
                    figure = Token("html_block", "", 0, block=True)
                    figure.meta = {"chart": chart, "caption": children[1].content}
                    figure.content = (f'<figure class="chart-figure">\n{charts.svg(chart, id=f"figure-{count}")}'
                                      f"<figcaption>{escape(children[1].content)}</figcaption>\n</figure>\n")
                    out.append(figure)
                    index += 3  # the caption is the figure's now; the table follows as it is
                    continue
        out.append(token)
        index += 1
    state.tokens = out


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    md.disable("image")
    md.core.ruler.push("tavolo_anchors", _anchors_and_classes)
    md.core.ruler.push("tavolo_charts", _charts)
    return md


_MD = _parser()


def writable(text: str) -> str:
    """The text without what no document format can hold (see _UNWRITABLE)."""
    return _UNWRITABLE.sub("", text)


def to_html(markdown: str) -> str:
    """The Markdown as an HTML fragment: everything escaped, contribution anchors set,
    captioned tables drawn as charts."""
    return _MD.render(writable(markdown), {"charts": True})


def parse(markdown: str) -> SyntaxTreeNode:
    """The Markdown as a tree (root → blocks → inline), for the DOCX and ODT writers."""
    return SyntaxTreeNode(_MD.parse(writable(markdown)))


def tokens(markdown: str) -> list[Token]:
    """The Markdown as markdown-it's flat token stream, for the PDF, which reads it in one
    pass (building the tree would cost a fifth of the reading). A captioned table's chart is
    an `html_block` before it, whose `meta` holds the chart and its caption."""
    return _MD.parse(writable(markdown), {"charts": True})


def table_rows(table: SyntaxTreeNode) -> list[tuple[bool, SyntaxTreeNode]]:
    """The rows of a table, each with whether it is a header row."""
    return [(section.type == "thead", row)
            for section in table.children for row in section.children]

