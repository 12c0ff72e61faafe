"""The record as DOCX (python-docx), an editable Italian administrative document.

A4; the administration's name as letterhead in the header of every page; the status line
and "Pagina N di M" (Word fields) in the footer; Word's own heading, list, quote and table
styles, so the secretary can go on editing it. Contribution labels stay visible text and
their anchors become bookmarks that `[C12](#c12)` links point to.
"""

from __future__ import annotations

from io import BytesIO

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph
from markdown_it.tree import SyntaxTreeNode

from boards.exports.letterhead import Letterhead, page_of
from boards.exports.markdown import parse, table_rows

FONT = "Titillium Web"
MONOSPACE = "DejaVu Sans Mono"
# Word's built-in list styles go three levels deep.
_MAX_LIST_LEVEL = 3
_ALIGNMENTS = {
    "text-start": WD_ALIGN_PARAGRAPH.LEFT,
    "text-center": WD_ALIGN_PARAGRAPH.CENTER,
    "text-end": WD_ALIGN_PARAGRAPH.RIGHT,
}
_LINK_COLOR = RGBColor(0x00, 0x59, 0xB3)
_HEADER_FILL = "E6ECF2"
# What may follow w:pBdr in a w:pPr (ECMA-376 order, which Word enforces).
_AFTER_BORDERS = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
    "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
    "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
    "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)


def render_docx(markdown: str, letterhead: Letterhead) -> bytes:
    """The Markdown as a DOCX document under its letterhead."""
    document = Document()
    _set_up(document, letterhead)
    writer = _Writer(document)
    for block in parse(markdown).children:
        writer.block(block)
    out = BytesIO()
    document.save(out)
    return out.getvalue()


def _language_tag(lang: str) -> str:
    return {"it": "it-IT", "en": "en-GB"}.get(lang, lang)


def _set_up(document, letterhead: Letterhead) -> None:
    properties = document.core_properties
    properties.title = letterhead.title
    properties.author = letterhead.administration
    properties.language = _language_tag(letterhead.lang)
    properties.comments = letterhead.status

    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(11)
    r_pr = normal.element.get_or_add_rPr()
    r_pr.rFonts.set(qn("w:eastAsia"), FONT)
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), _language_tag(letterhead.lang))
    r_pr.append(language)
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.15
    for level in range(1, 5):
        heading = document.styles[f"Heading {level}"]
        heading.font.name = FONT
        heading.font.color.rgb = RGBColor(0x17, 0x32, 0x4D)
        heading.paragraph_format.space_before = Pt(14 if level > 1 else 6)
        heading.paragraph_format.space_after = Pt(6)
    document.styles["Heading 1"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER

    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(25), Mm(25)
    section.left_margin, section.right_margin = Mm(22), Mm(20)

    head = section.header.paragraphs[0]
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = head.add_run(letterhead.administration)
    run.bold = True
    run.font.size = Pt(14)
    _bottom_border(head)

    footer = section.footer
    status = footer.paragraphs[0]
    status.add_run(letterhead.status).font.size = Pt(8)
    _top_border(status)
    numbers = footer.add_paragraph(style="Footer")
    numbers.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    page, of = page_of(letterhead.lang)
    numbers.add_run(f"{page} ").font.size = Pt(8)
    _field(numbers, "PAGE")
    numbers.add_run(f" {of} ").font.size = Pt(8)
    _field(numbers, "NUMPAGES")


def _field(paragraph: Paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) that the reader's word processor computes."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    r_pr = OxmlElement("w:rPr")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "16")
    r_pr.append(size)
    run.append(r_pr)
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _border(paragraph: Paragraph, side: str) -> None:
    p_pr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    edge = OxmlElement(f"w:{side}")
    for key, value in (("val", "single"), ("sz", "6"), ("space", "4"), ("color", "8A9AAB")):
        edge.set(qn(f"w:{key}"), value)
    borders.append(edge)
    p_pr.insert_element_before(borders, *_AFTER_BORDERS)


def _bottom_border(paragraph: Paragraph) -> None:
    _border(paragraph, "bottom")


def _top_border(paragraph: Paragraph) -> None:
    _border(paragraph, "top")


class _Writer:
    def __init__(self, document) -> None:
        self.document = document
        self.bookmarks = 0
        self.style_ids: dict[str, str] = {}

    def add_paragraph(self, style: str | None) -> Paragraph:
        """A new paragraph of `style`, set by id: python-docx's lookup by name scans every
        style for each paragraph, the bulk of the time of a 2,000-item annex."""
        paragraph = self.document.add_paragraph()
        if style:
            if style not in self.style_ids:
                self.style_ids[style] = self.document.styles[style].style_id
            paragraph._p.style = self.style_ids[style]
        return paragraph

    # --- blocks ---------------------------------------------------------------------------
    def block(self, node: SyntaxTreeNode, *, style: str | None = None,
              list_level: int = 0) -> None:
        kind = node.type
        if kind == "heading":
            level = min(int(node.tag[1]), 4)
            self.paragraph(node, style=f"Heading {level}")
        elif kind == "paragraph":
            self.paragraph(node, style=style)
        elif kind in ("bullet_list", "ordered_list"):
            self.list(node, level=min(list_level + 1, _MAX_LIST_LEVEL))
        elif kind == "table":
            self.table(node)
        elif kind == "blockquote":
            for child in node.children:
                self.block(child, style="Quote", list_level=list_level)
        elif kind == "hr":
            _bottom_border(self.document.add_paragraph())
        elif kind in ("code_block", "fence"):
            run = self.add_paragraph(style).add_run()
            run.font.name = MONOSPACE
            for index, line in enumerate(node.content.rstrip("\n").split("\n")):
                if index:
                    run.add_break()
                run.add_text(line)

    def paragraph(self, node: SyntaxTreeNode, *, style: str | None,
                  anchor: str | None = None) -> Paragraph:
        paragraph = self.add_paragraph(style)
        anchor = anchor or node.attrs.get("id")
        if anchor:
            self.bookmark(paragraph, str(anchor))
        for inline in node.children:
            self.inline(paragraph, inline)
        return paragraph

    def list(self, node: SyntaxTreeNode, *, level: int) -> None:
        ordered = node.type == "ordered_list"
        suffix = "" if level == 1 else f" {level}"
        style = ("List Number" if ordered else "List Bullet") + suffix
        num_id = self.restart(style, int(node.attrs.get("start", 1))) if ordered else None
        for item in node.children:
            first = True
            for child in item.children:
                if child.type == "paragraph" and first:
                    paragraph = self.paragraph(child, style=style, anchor=item.attrs.get("id"))
                    if num_id is not None:
                        _number(paragraph, num_id)
                elif child.type == "paragraph":
                    self.paragraph(child, style="List Continue" + suffix)
                else:
                    self.block(child, style="List Continue" + suffix, list_level=level)
                first = False

    def restart(self, style: str, start: int) -> int:
        """A numbering instance of `style`'s list that starts at `start`: Word would otherwise
        number every ordered list of the document as one."""
        numbering = self.document.part.numbering_part.element
        style_num = self.document.styles[style].element.pPr.numPr.numId.val
        abstract = numbering.num_having_numId(style_num).abstractNumId.val
        num = numbering.add_num(abstract)
        num.add_lvlOverride(ilvl=0).add_startOverride(start)
        return num.numId

    def table(self, node: SyntaxTreeNode) -> None:
        rows = table_rows(node)
        columns = max(len(tr.children) for _, tr in rows)
        table = self.document.add_table(rows=len(rows), cols=columns)
        table.style = self.document.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for (header, tr), row in zip(rows, table.rows, strict=True):
            if header:
                _repeat_as_header(row)
            for cell_node, cell in zip(tr.children, row.cells, strict=False):
                paragraph = cell.paragraphs[0]
                paragraph.alignment = _ALIGNMENTS.get(str(cell_node.attrs.get("class", "")))
                paragraph.paragraph_format.space_before = Pt(2)
                paragraph.paragraph_format.space_after = Pt(2)
                for inline in cell_node.children:
                    self.inline(paragraph, inline, bold=header)
                if header:
                    _shade(cell, _HEADER_FILL)
        self.document.add_paragraph()

    # --- inline ---------------------------------------------------------------------------
    def inline(self, paragraph: Paragraph, node: SyntaxTreeNode, *, bold: bool = False,
               italic: bool = False, strike: bool = False, container=None) -> None:
        kind = node.type
        if kind == "inline":
            for child in node.children:
                self.inline(paragraph, child, bold=bold, italic=italic, strike=strike)
        elif kind in ("text", "code_inline", "softbreak", "hardbreak"):
            if kind in ("text", "code_inline") and not node.content:
                return
            run = paragraph.add_run()
            if kind == "hardbreak":
                run.add_break()
            else:
                run.text = " " if kind == "softbreak" else node.content
            if bold:
                run.bold = True
            if italic:
                run.italic = True
            if strike:
                run.font.strike = True
            if kind == "code_inline":
                run.font.name = MONOSPACE
            if container is not None:
                run.font.color.rgb = _LINK_COLOR
                run.font.underline = True
                container.append(run._r)
        elif kind == "link":
            hyperlink = self.hyperlink(paragraph, str(node.attrs.get("href", "")))
            for child in node.children:
                self.inline(paragraph, child, bold=bold, italic=italic, strike=strike,
                            container=hyperlink)
            return
        else:
            flags = {"bold": bold or kind == "strong", "italic": italic or kind == "em",
                     "strike": strike or kind == "s"}
            for child in node.children:
                self.inline(paragraph, child, container=container, **flags)

    def hyperlink(self, paragraph: Paragraph, href: str):
        hyperlink = OxmlElement("w:hyperlink")
        if href.startswith("#"):
            hyperlink.set(qn("w:anchor"), href[1:])
        else:
            hyperlink.set(qn("r:id"), paragraph.part.relate_to(
                href, RELATIONSHIP_TYPE.HYPERLINK, is_external=True))
        paragraph._p.append(hyperlink)
        return hyperlink

    def bookmark(self, paragraph: Paragraph, name: str) -> None:
        start = OxmlElement("w:bookmarkStart")
        start.set(qn("w:id"), str(self.bookmarks))
        start.set(qn("w:name"), name)
        end = OxmlElement("w:bookmarkEnd")
        end.set(qn("w:id"), str(self.bookmarks))
        paragraph._p.append(start)
        paragraph._p.append(end)
        self.bookmarks += 1


def _number(paragraph: Paragraph, num_id: int) -> None:
    num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = 0
    num_pr.get_or_add_numId().val = num_id


def _repeat_as_header(row) -> None:
    """The row is repeated at the top of every page the table runs over."""
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(header)


def _shade(cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)
