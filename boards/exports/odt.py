"""The record as ODT (odfpy), the OpenDocument text the Italian public administration
favours for editable documents (CAD art. 68, AgID guidelines on open formats).

A4; the administration's name in the header of every page; the status line and
"Pagina N di M" in the footer; headings with outline levels, lists, tables with borders
and a repeated header row. Contribution anchors become bookmarks that `[C12](#c12)` links
point to.
"""

from __future__ import annotations

from io import BytesIO

from markdown_it.tree import SyntaxTreeNode
from odf import dc, teletype
from odf.opendocument import OpenDocumentText
from odf.style import (
    FontFace,
    Footer,
    FooterStyle,
    Header,
    HeaderFooterProperties,
    HeaderStyle,
    ListLevelProperties,
    MasterPage,
    PageLayout,
    PageLayoutProperties,
    ParagraphProperties,
    Style,
    TableCellProperties,
    TableColumnProperties,
    TableProperties,
    TextProperties,
)
from odf.table import Table, TableCell, TableColumn, TableHeaderRows, TableRow
from odf.text import (
    A,
    Bookmark,
    H,
    LineBreak,
    List,
    ListItem,
    ListLevelStyleBullet,
    ListLevelStyleNumber,
    ListStyle,
    P,
    PageCount,
    PageNumber,
    Span,
)

from boards.exports.letterhead import Letterhead, page_of
from boards.exports.markdown import parse, table_rows

FONT = "Titillium Web"
MONOSPACE = "DejaVu Sans Mono"
_BORDER = "0.75pt solid #333333"
_BULLETS = "•◦▪"
# How deep lists are styled; deeper items keep the last level's indentation.
_LIST_LEVELS = 6
_ALIGNMENTS = {"text-start": "start", "text-center": "center", "text-end": "end"}
_TEXT_WIDTH_CM = 16.8


def render_odt(markdown: str, letterhead: Letterhead) -> bytes:
    """The Markdown as an ODT document under its letterhead."""
    writer = _Writer(letterhead)
    for block in parse(markdown).children:
        writer.block(block, writer.document.text)
    out = BytesIO()
    writer.document.write(out)
    return out.getvalue()


def _paragraph_style(name: str, *, parent: str | None = None, text: dict | None = None,
                     paragraph: dict | None = None, **attributes) -> Style:
    style = Style(name=name, family="paragraph", **attributes)
    if parent:
        style.setAttribute("parentstylename", parent)
    if paragraph:
        style.addElement(ParagraphProperties(**paragraph))
    if text:
        style.addElement(TextProperties(**text))
    return style


class _Writer:
    def __init__(self, letterhead: Letterhead) -> None:
        self.document = document = OpenDocumentText()
        self.text_styles: dict[tuple[bool, bool, bool, bool], str] = {}
        self.tables = 0
        lang = letterhead.lang
        country = {"it": "IT", "en": "GB"}.get(lang, "")

        document.meta.addElement(dc.Title(text=letterhead.title))
        document.meta.addElement(dc.Language(text=f"{lang}-{country}" if country else lang))
        document.meta.addElement(dc.Description(text=letterhead.status))

        for name, generic in ((FONT, "swiss"), (MONOSPACE, "modern")):
            document.fontfacedecls.addElement(FontFace(
                name=name, fontfamily=f"'{name}'", fontfamilygeneric=generic,
                fontpitch="fixed" if generic == "modern" else "variable"))

        styles = document.styles
        styles.addElement(_paragraph_style(
            "Standard", text={"fontname": FONT, "fontsize": "11pt", "language": lang,
                              "country": country or "none"},
            paragraph={"margintop": "0cm", "marginbottom": "0.2cm"}))
        styles.addElement(_paragraph_style(
            "Text_20_body", parent="Standard", displayname="Text body",
            paragraph={"textalign": "justify", "marginbottom": "0.2cm"}))
        for level, size in ((1, "17pt"), (2, "13.5pt"), (3, "12pt"), (4, "11pt")):
            styles.addElement(_paragraph_style(
                f"Heading_20_{level}", parent="Standard", displayname=f"Heading {level}",
                defaultoutlinelevel=str(level),
                paragraph={"margintop": "0.45cm", "marginbottom": "0.2cm", "keepwithnext": "always",
                           **({"textalign": "center"} if level == 1 else {})},
                text={"fontsize": size, "fontweight": "bold", "color": "#17324d",
                      **({"fontstyle": "italic"} if level == 4 else {})}))
        styles.addElement(_paragraph_style(
            "Quotations", parent="Text_20_body", displayname="Quotations",
            paragraph={"marginleft": "1cm", "borderleft": "2pt solid #8a9aab", "padding": "0.2cm"}))
        styles.addElement(_paragraph_style(
            "Preformatted_20_Text", parent="Standard", displayname="Preformatted Text",
            text={"fontname": MONOSPACE, "fontsize": "9.5pt"}))
        styles.addElement(_paragraph_style(
            "Table_20_Contents", parent="Standard", displayname="Table Contents",
            text={"fontsize": "10pt"}, paragraph={"marginbottom": "0cm"}))
        styles.addElement(_paragraph_style(
            "Table_20_Heading", parent="Table_20_Contents", displayname="Table Heading",
            text={"fontweight": "bold"}))
        styles.addElement(_paragraph_style(
            "Header", parent="Standard",
            paragraph={"textalign": "center", "borderbottom": "0.5pt solid #8a9aab",
                       "paddingbottom": "0.15cm"},
            text={"fontsize": "13pt", "fontweight": "bold"}))
        styles.addElement(_paragraph_style(
            "Footer", parent="Standard", text={"fontsize": "8pt", "color": "#333333"},
            paragraph={"marginbottom": "0cm"}))
        styles.addElement(_paragraph_style(
            "Footer_20_Status", parent="Footer", displayname="Footer Status",
            paragraph={"bordertop": "0.5pt solid #8a9aab", "paddingtop": "0.1cm"}))
        styles.addElement(_paragraph_style(
            "Footer_20_Pages", parent="Footer", displayname="Footer Pages",
            paragraph={"textalign": "end"}))
        link = Style(name="Internet_20_link", displayname="Internet link", family="text")
        link.addElement(TextProperties(color="#0059b3", textunderlinestyle="solid",
                                       textunderlinewidth="auto", textunderlinecolor="font-color"))
        styles.addElement(link)
        styles.addElement(self._list_style("List_20_Bullet", ordered=False))
        styles.addElement(self._list_style("List_20_Number", ordered=True))

        layout = PageLayout(name="A4")
        layout.addElement(PageLayoutProperties(
            pagewidth="21cm", pageheight="29.7cm", printorientation="portrait",
            margintop="1.2cm", marginbottom="1.2cm", marginleft="2.2cm", marginright="2cm"))
        header_style = HeaderStyle()
        header_style.addElement(HeaderFooterProperties(minheight="0.8cm", marginbottom="0.5cm"))
        layout.addElement(header_style)
        footer_style = FooterStyle()
        footer_style.addElement(HeaderFooterProperties(minheight="0.8cm", margintop="0.5cm"))
        layout.addElement(footer_style)
        document.automaticstyles.addElement(layout)

        master = MasterPage(name="Standard", pagelayoutname=layout)
        header = Header()
        header.addElement(P(stylename="Header", text=letterhead.administration))
        master.addElement(header)
        footer = Footer()
        footer.addElement(P(stylename="Footer_20_Status", text=letterhead.status))
        page, of = page_of(lang)
        numbers = P(stylename="Footer_20_Pages", text=f"{page} ")
        numbers.addElement(PageNumber(selectpage="current", text="1"))
        numbers.addText(f" {of} ")
        numbers.addElement(PageCount(text="1"))
        footer.addElement(numbers)
        master.addElement(footer)
        document.masterstyles.addElement(master)

        self.header_cell = self._automatic("table-cell", "CellHeading", TableCellProperties(
            border=_BORDER, padding="0.08cm", backgroundcolor="#e6ecf2"))
        self.cell = self._automatic("table-cell", "Cell", TableCellProperties(
            border=_BORDER, padding="0.08cm"))
        self.aligned = {
            (heading, cls): self._automatic(
                "paragraph", f"Cell_{heading}_{align}", ParagraphProperties(textalign=align),
                parent="Table_20_Heading" if heading else "Table_20_Contents")
            for heading in (True, False) for cls, align in _ALIGNMENTS.items()
        }
        self.rule = self._automatic("paragraph", "Rule", ParagraphProperties(
            borderbottom="0.75pt solid #8a9aab", paddingbottom="0.1cm"), parent="Standard")

    def _automatic(self, family: str, name: str, properties, *, parent: str | None = None) -> Style:
        style = Style(name=name, family=family)
        if parent:
            style.setAttribute("parentstylename", parent)
        style.addElement(properties)
        self.document.automaticstyles.addElement(style)
        return style

    @staticmethod
    def _list_style(name: str, *, ordered: bool) -> ListStyle:
        style = ListStyle(name=name)
        for level in range(1, _LIST_LEVELS + 1):
            if ordered:
                level_style = ListLevelStyleNumber(level=level, numformat="1", numsuffix=".")
            else:
                level_style = ListLevelStyleBullet(
                    level=level, bulletchar=_BULLETS[(level - 1) % len(_BULLETS)])
            level_style.addElement(ListLevelProperties(
                spacebefore=f"{0.6 * level:.1f}cm", minlabelwidth="0.6cm"))
            style.addElement(level_style)
        return style

    def span_style(self, bold: bool, italic: bool, strike: bool, code: bool) -> str:
        key = (bold, italic, strike, code)
        if key not in self.text_styles:
            name = f"T{len(self.text_styles) + 1}"
            properties = {}
            if bold:
                properties["fontweight"] = "bold"
            if italic:
                properties["fontstyle"] = "italic"
            if strike:
                properties["textlinethroughstyle"] = "solid"
            if code:
                properties["fontname"] = MONOSPACE
            self._automatic("text", name, TextProperties(**properties))
            self.text_styles[key] = name
        return self.text_styles[key]

    # --- blocks ---------------------------------------------------------------------------
    def block(self, node: SyntaxTreeNode, parent, *, style: str = "Text_20_body",
              list_level: int = 0) -> None:
        kind = node.type
        if kind == "heading":
            level = min(int(node.tag[1]), 4)
            element = H(outlinelevel=level, stylename=f"Heading_20_{level}")
            self.inlines(element, node)
            parent.addElement(element)
        elif kind == "paragraph":
            element = P(stylename=style)
            if node.attrs.get("id"):
                element.addElement(Bookmark(name=str(node.attrs["id"])))
            self.inlines(element, node)
            parent.addElement(element)
        elif kind in ("bullet_list", "ordered_list"):
            self.list(node, parent, level=list_level + 1)
        elif kind == "table":
            self.table(node, parent)
        elif kind == "blockquote":
            for child in node.children:
                self.block(child, parent, style="Quotations", list_level=list_level)
        elif kind == "hr":
            parent.addElement(P(stylename=self.rule))
        elif kind in ("code_block", "fence"):
            element = P(stylename="Preformatted_20_Text")
            for index, line in enumerate(node.content.rstrip("\n").split("\n")):
                if index:
                    element.addElement(LineBreak())
                teletype.addTextToElement(element, line)
            parent.addElement(element)

    def list(self, node: SyntaxTreeNode, parent, *, level: int) -> None:
        ordered = node.type == "ordered_list"
        element = List(stylename="List_20_Number" if ordered else "List_20_Bullet")
        start = int(node.attrs.get("start", 1))
        for index, item in enumerate(node.children):
            restart = ordered and index == 0 and start != 1
            list_item = ListItem(startvalue=start) if restart else ListItem()
            for position, child in enumerate(item.children):
                if child.type == "paragraph":
                    paragraph = P(stylename="Text_20_body")
                    anchor = item.attrs.get("id") if position == 0 else child.attrs.get("id")
                    if anchor:
                        paragraph.addElement(Bookmark(name=str(anchor)))
                    self.inlines(paragraph, child)
                    list_item.addElement(paragraph)
                else:
                    self.block(child, list_item, list_level=level)
            element.addElement(list_item)
        parent.addElement(element)

    def table(self, node: SyntaxTreeNode, parent) -> None:
        self.tables += 1
        rows = table_rows(node)
        columns = max(len(tr.children) for _, tr in rows)
        table_style = self._automatic("table", f"Table{self.tables}", TableProperties(
            width=f"{_TEXT_WIDTH_CM}cm", align="margins", margintop="0.15cm",
            marginbottom="0.35cm"))
        column_style = self._automatic(
            "table-column", f"Table{self.tables}.A",
            TableColumnProperties(columnwidth=f"{_TEXT_WIDTH_CM / columns:.2f}cm"))
        table = Table(name=f"Tabella{self.tables}", stylename=table_style)
        table.addElement(TableColumn(numbercolumnsrepeated=columns, stylename=column_style))
        # Header rows repeat at the top of every page the table runs over.
        header_rows = TableHeaderRows()
        if any(heading for heading, _ in rows):
            table.addElement(header_rows)
        for heading, tr in rows:
            row = TableRow()
            for cell_node in tr.children:
                cell = TableCell(stylename=self.header_cell if heading else self.cell,
                                 valuetype="string")
                align = str(cell_node.attrs.get("class", ""))
                style = self.aligned.get((heading, align)) or (
                    "Table_20_Heading" if heading else "Table_20_Contents")
                paragraph = P(stylename=style)
                self.inlines(paragraph, cell_node)
                cell.addElement(paragraph)
                row.addElement(cell)
            for _ in range(columns - len(tr.children)):
                row.addElement(TableCell(stylename=self.cell))
            (header_rows if heading else table).addElement(row)
        parent.addElement(table)

    # --- inline ---------------------------------------------------------------------------
    def inlines(self, element, node: SyntaxTreeNode) -> None:
        for child in node.children:
            self.inline(element, child, bold=False, italic=False, strike=False)

    def inline(self, element, node: SyntaxTreeNode, *, bold: bool, italic: bool,
               strike: bool) -> None:
        kind = node.type
        if kind in ("text", "code_inline", "softbreak"):
            text = " " if kind == "softbreak" else node.content
            code = kind == "code_inline"
            if bold or italic or strike or code:
                span = Span(stylename=self.span_style(bold, italic, strike, code))
                teletype.addTextToElement(span, text)
                element.addElement(span)
            else:
                teletype.addTextToElement(element, text)
        elif kind == "hardbreak":
            element.addElement(LineBreak())
        elif kind == "link":
            link = A(href=str(node.attrs.get("href", "")), type="simple",
                     stylename="Internet_20_link")
            for child in node.children:
                self.inline(link, child, bold=bold, italic=italic, strike=strike)
            element.addElement(link)
        else:
            for child in node.children:
                self.inline(element, child, bold=bold or kind == "strong",
                            italic=italic or kind == "em", strike=strike or kind == "s")
