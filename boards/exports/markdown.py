"""The Markdown of the record (verbale, synthesis), parsed once for every export format.

CommonMark with GFM tables and strikethrough. Raw HTML is never passed through (it shows as
text) and images are not parsed, so no document ever fetches anything. An annex item or
paragraph that begins with a bold contribution label (`**C12**`) gets the anchor id `c12`,
so references written `[C12](#c12)` link to it in every format.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.tree import SyntaxTreeNode

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


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    md.disable("image")
    md.core.ruler.push("tavolo_anchors", _anchors_and_classes)
    return md


_MD = _parser()


def writable(text: str) -> str:
    """The text without what no document format can hold (see _UNWRITABLE)."""
    return _UNWRITABLE.sub("", text)


def to_html(markdown: str) -> str:
    """The Markdown as an HTML fragment: everything escaped, contribution anchors set."""
    return _MD.render(writable(markdown))


def parse(markdown: str) -> SyntaxTreeNode:
    """The Markdown as a tree (root → blocks → inline), for the DOCX and ODT writers."""
    return SyntaxTreeNode(_MD.parse(writable(markdown)))


def table_rows(table: SyntaxTreeNode) -> list[tuple[bool, SyntaxTreeNode]]:
    """The rows of a table, each with whether it is a header row."""
    return [(section.type == "thead", row)
            for section in table.children for row in section.children]

