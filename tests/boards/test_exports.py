"""boards.exports: a verbale-like Markdown in every format, read back with the readers the
offices use (python-docx, odfpy, a PDF text extractor, an HTML5 parser)."""

from __future__ import annotations

import io
import re
import threading
import zipfile

import docx
import html5lib
import pypdf
import pytest
from odf import teletype
from odf import text as odf_text
from odf.opendocument import load as load_odt

from boards.exports import EXTENSIONS, MEDIA_TYPES, Letterhead, html_fragment, render
from tests import pdfa

ADMINISTRATION = "Comune di Padova"
STATUS = "Versione 2 approvata il 27/11/2026 — SHA-256 " + "ab12cd34" * 8
LETTERHEAD = Letterhead(administration=ADMINISTRATION, title="Verbale dell'incontro n. 3",
                        status=STATUS)
# Exactly 2,000 characters, the longest contribution a participant can write.
LONG = ("Il tavolo discute della coprogettazione dei servizi di prossimità, dell'inclusione "
        "delle persone più fragili e del ruolo degli enti del Terzo settore perché nessuno "
        "resti indietro. " * 12)[:1999] + "."
XSS = "<script>alert(1)</script>"
CONTRIBUTIONS = [f"Contributo numero {n}: più panchine e più ombra nei parchi di quartiere"
                 for n in range(20, 80)]
ANNEX = "".join(f"- **C{n}** {text}\n" for n, text in enumerate(CONTRIBUTIONS, start=20))
VERBALE = f"""# Verbale dell'incontro n. 3 — Tavolo «Inclusione sociale»

Procedura: coprogettazione ex art. 55 D.Lgs. 117/2017. Luogo: Sala Paladin, Palazzo Moroni.

## Presenze

| Ente | Rappresentante | Ruolo | Presenza |
|---|---|---|:-:|
| Comune di Padova | Maria Rossi | Dirigente Servizi Sociali | presente |
| Cooperativa Sociale L'Àncora | Giuseppe Verdi | Presidente | presente (delega a Luca Bianchi) |
| Associazione Città Solidale | — | — | assente giustificato |

## Ordine del giorno

1. Approvazione del verbale precedente
2. Mobilità dolce nei quartieri 😀
3. Varie ed eventuali

## Contributi

### Gruppo 1 — Domanda: «Come rendere i parchi più accoglienti?»

- **C12** Più panchine nei parchi, perché gli anziani possano sostare. (*Cooperativa L'Àncora*)
- **C13** {XSS} e {{{{7*7}}}} restano testo: <img src=x onerror=alert(2)>
  - Un sotto-punto annidato con `codice`
{ANNEX}
{LONG}

> Decisione presa all'unanimità dei presenti (12 favorevoli, 0 contrari, 0 astenuti).

Si veda il contributo [C12](#c12) e il sito del [Comune](https://www.padovanet.it/).

---

4. Azione: sopralluogo nei parchi — responsabile Maria Rossi, entro il 15/12/2026
5. Prossimo incontro: 10 gennaio 2027, ore 9:30
"""

TEXTS = [
    "Verbale dell'incontro n. 3 — Tavolo «Inclusione sociale»",
    "Presenze", "Ordine del giorno", "Comune di Padova", "Maria Rossi",
    "Dirigente Servizi Sociali", "Cooperativa Sociale L'Àncora", "presente (delega a Luca Bianchi)",
    "Associazione Città Solidale", "assente giustificato", "Mobilità dolce nei quartieri 😀",
    "Più panchine nei parchi, perché gli anziani possano sostare.", XSS, "{{7*7}}",
    "Un sotto-punto annidato con codice", LONG,
    "Decisione presa all'unanimità dei presenti (12 favorevoli, 0 contrari, 0 astenuti).",
    "Azione: sopralluogo nei parchi — responsabile Maria Rossi, entro il 15/12/2026",
    *CONTRIBUTIONS,
]


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    return {fmt: render(VERBALE, fmt, LETTERHEAD) for fmt in MEDIA_TYPES}


def test_the_five_formats_have_their_media_types_and_extensions():
    assert list(MEDIA_TYPES) == ["md", "html", "docx", "odt", "pdf"]
    assert MEDIA_TYPES["md"] == "text/markdown; charset=utf-8"
    assert MEDIA_TYPES["docx"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert MEDIA_TYPES["odt"] == "application/vnd.oasis.opendocument.text"
    assert MEDIA_TYPES["pdf"] == "application/pdf"
    assert EXTENSIONS == {"md": "md", "html": "html", "docx": "docx", "odt": "odt", "pdf": "pdf"}


def test_markdown_is_the_exact_bytes_whose_sha256_is_approved():
    markdown = "# Verbale\r\n\r\nperché  \n🚲 trailing spaces   \n\n"
    assert render(markdown, "md", LETTERHEAD) == markdown.encode("utf-8")


@pytest.mark.parametrize("fmt", ["", "PDF", "txt", "../pdf"])
def test_an_unknown_format_is_refused(fmt):
    with pytest.raises(ValueError, match="Unknown export format"):
        render(VERBALE, fmt, LETTERHEAD)


# --- HTML -------------------------------------------------------------------------------

def test_html_is_a_valid_html5_document_with_language_and_title(files):
    page = files["html"].decode("utf-8")
    tree = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(page)
    assert page.startswith("<!DOCTYPE html>")
    assert tree.get("lang") == "it"
    assert tree.find("head/title").text == "Verbale dell'incontro n. 3"
    assert tree.find("head/meta[@charset]").get("charset") == "utf-8"
    letterhead = tree.find("body/header")
    assert [p.text for p in letterhead.findall("p")] == [ADMINISTRATION, STATUS]
    text = flat("".join(tree.find("body/main").itertext()))
    for expected in TEXTS:
        assert flat(expected) in text


def test_html_payloads_are_inert(files):
    page = files["html"].decode("utf-8")
    tree = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(page)
    assert tree.findall(".//script") == [] and tree.findall(".//img") == []
    assert "<script" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "onerror" not in "".join(str(element.attrib) for element in tree.iter())
    assert "{{7*7}}" in page and ">49<" not in page


def test_html_contribution_labels_are_anchors_and_references_link_to_them(files):
    tree = html5lib.parse(files["html"].decode("utf-8"), namespaceHTMLElements=False)
    target = tree.find(".//li[@id='c12']")
    assert target is not None and target.find("strong").text == "C12"
    assert tree.find(".//li[@id='c79']") is not None
    assert tree.find(".//a[@href='#c12']").text == "C12"
    ids = [element.get("id") for element in tree.iter() if element.get("id")]
    assert len(ids) == len(set(ids)) == 62


def test_html_tables_have_a_header_row(files):
    tree = html5lib.parse(files["html"].decode("utf-8"), namespaceHTMLElements=False)
    table = tree.find(".//table")
    assert [th.text for th in table.findall("thead/tr/th")] == [
        "Ente", "Rappresentante", "Ruolo", "Presenza"]
    assert len(table.findall("tbody/tr")) == 3
    # Alignment as a class: the pages' Content-Security-Policy refuses style attributes.
    assert table.find("thead/tr/th[4]").get("class") == "text-center"
    assert not any(element.get("style") for element in tree.iter())


def test_html_fragment_escapes_raw_html_and_loads_nothing():
    fragment = html_fragment(
        "**C7** <b onclick=x>grassetto</b> ![pixel](https://tracker.example/p.gif) "
        "[male](javascript:alert(1)) [bene](https://example.org)\n\n<iframe src=x></iframe>\n")
    assert fragment.startswith(
        '<p id="c7"><strong>C7</strong> &lt;b onclick=x&gt;grassetto&lt;/b&gt;')
    assert "<img" not in fragment and "<iframe" not in fragment and "&lt;iframe" in fragment
    assert 'href="javascript' not in fragment
    assert '<a href="https://example.org">bene</a>' in fragment


def test_only_a_leading_bold_label_is_an_anchor_and_only_its_first_item():
    fragment = html_fragment(
        "- **C1** primo\n- **C1** ripetuto\n- testo **C2** dopo\n- **C3 e altro**\n\n**C4**\n\n"
        "> **C5** citato\n\n- **C06** no\n")
    assert re.findall(r'id="([^"]+)"', fragment) == ["c1", "c4", "c5"]
    assert fragment.count('<li id="c1">') == 1


# --- DOCX -------------------------------------------------------------------------------

def docx_text(document) -> str:
    parts = [paragraph.text for paragraph in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return flat("\n".join(parts))


def test_docx_holds_every_text_under_its_letterhead(files):
    document = docx.Document(io.BytesIO(files["docx"]))
    text = docx_text(document)
    for expected in TEXTS:
        assert flat(expected) in text
    section = document.sections[0]
    assert section.header.paragraphs[0].text == ADMINISTRATION
    footer = section.footer._element.xml
    assert STATUS in section.footer.paragraphs[0].text
    assert 'w:instr="PAGE"' in footer and 'w:instr="NUMPAGES"' in footer
    assert section.footer.paragraphs[1].text.startswith("Pagina ")
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert document.core_properties.title == "Verbale dell'incontro n. 3"
    assert document.core_properties.language == "it-IT"


def test_docx_uses_headings_lists_and_a_table_with_a_repeated_header_row(files):
    document = docx.Document(io.BytesIO(files["docx"]))
    styles = {paragraph.text: paragraph.style.name for paragraph in document.paragraphs}
    assert styles["Presenze"] == "Heading 2"
    assert styles["Gruppo 1 — Domanda: «Come rendere i parchi più accoglienti?»"] == "Heading 3"
    assert styles["Mobilità dolce nei quartieri 😀"] == "List Number"
    assert styles["Un sotto-punto annidato con codice"] == "List Bullet 2"
    table = document.tables[0]
    assert table.style.name == "Table Grid"
    assert [cell.text for cell in table.rows[0].cells] == [
        "Ente", "Rappresentante", "Ruolo", "Presenza"]
    assert "w:tblHeader" in table.rows[0]._tr.xml
    assert all(run.bold for cell in table.rows[0].cells for run in cell.paragraphs[0].runs)


def test_docx_ordered_lists_number_from_their_own_start(files):
    document = docx.Document(io.BytesIO(files["docx"]))
    numbering = document.part.numbering_part.element
    starts = []
    for paragraph in document.paragraphs:
        num_pr = paragraph._p.pPr.numPr if paragraph._p.pPr is not None else None
        if paragraph.style.name == "List Number" and num_pr is not None:
            num = numbering.num_having_numId(num_pr.numId.val)
            starts.append((paragraph.text[:6], num.numId,
                           num.xpath("./w:lvlOverride/w:startOverride/@w:val")))
    assert [(text, start) for text, _, start in starts] == [
        ("Approv", ["1"]), ("Mobili", ["1"]), ("Varie ", ["1"]),
        ("Azione", ["4"]), ("Prossi", ["4"])]
    assert starts[0][1] != starts[3][1]


def test_docx_keeps_labels_as_text_with_bookmarks_and_internal_links(files):
    document = docx.Document(io.BytesIO(files["docx"]))
    body = document.element.body
    assert body.xpath('.//w:bookmarkStart[@w:name="c12"]')
    link = body.xpath('.//w:hyperlink[@w:anchor="c12"]')
    assert len(link) == 1 and link[0].xpath(".//w:t/text()") == ["C12"]
    external = body.xpath(".//w:hyperlink[@r:id]")[0]
    assert document.part.rels[external.get(
        "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
    ].target_ref == "https://www.padovanet.it/"


# --- ODT --------------------------------------------------------------------------------

def test_odt_holds_every_text_under_its_letterhead(files):
    document = load_odt(io.BytesIO(files["odt"]))
    blocks = document.getElementsByType(odf_text.H) + document.getElementsByType(odf_text.P)
    text = flat("\n".join(teletype.extractText(element) for element in blocks))
    for expected in TEXTS:
        assert flat(expected) in text
    styles = zipfile.ZipFile(io.BytesIO(files["odt"])).read("styles.xml").decode("utf-8")
    assert f'<style:header><text:p text:style-name="Header">{ADMINISTRATION}</text:p>' in styles
    assert STATUS in styles
    assert re.search(r"Pagina <text:page-number[^>]*>1</text:page-number> di <text:page-count>",
                     styles)
    assert 'fo:page-width="21cm"' in styles and 'fo:page-height="29.7cm"' in styles
    meta = zipfile.ZipFile(io.BytesIO(files["odt"])).read("meta.xml").decode("utf-8")
    assert "<dc:title>Verbale dell&apos;incontro n. 3</dc:title>" in meta or (
        "<dc:title>Verbale dell'incontro n. 3</dc:title>" in meta)
    assert "<dc:language>it-IT</dc:language>" in meta


def test_odt_has_outline_headings_a_bordered_table_with_header_rows_bookmarks_and_links(files):
    content = zipfile.ZipFile(io.BytesIO(files["odt"])).read("content.xml").decode("utf-8")
    assert ('<text:h text:outline-level="2" text:style-name="Heading_20_2">Presenze</text:h>'
            in content)
    assert re.search(
        r"<table:table-header-rows><table:table-row>.*?Ente.*?</table:table-header-rows>", content)
    assert "fo:border=\"0.75pt solid #333333\"" in content
    assert '<text:bookmark text:name="c12"/>' in content
    assert re.search(r'<text:a [^>]*xlink:href="#c12"[^>]*>C12</text:a>', content)
    assert 'text:start-value="4"' in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


# --- PDF --------------------------------------------------------------------------------

def test_pdf_holds_every_text_and_the_letterhead_on_every_page(files):
    reader = pypdf.PdfReader(io.BytesIO(files["pdf"]))
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) >= 3
    text = flat("\n".join(pages))
    for expected in TEXTS:
        assert flat(expected) in text
    for number, page in enumerate(pages, start=1):
        assert ADMINISTRATION in page
        assert flat(STATUS) in flat(page)
        assert f"Pagina {number} di {len(pages)}" in page


def test_pdf_is_pdf_a_3b_with_title_and_language(files):
    reader = pypdf.PdfReader(io.BytesIO(files["pdf"]))
    assert pdfa.identification(reader) == {"part": "3", "conformance": "B"}
    assert pdfa.accessibility(reader) == {"part": "1"}
    assert reader.metadata.title == "Verbale dell'incontro n. 3"
    assert reader.trailer["/Root"]["/Lang"] == "it"
    assert "/OutputIntents" in reader.trailer["/Root"]


def test_pdf_is_tagged_for_screen_readers_and_has_an_outline(files):
    root = pypdf.PdfReader(io.BytesIO(files["pdf"])).trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root
    assert "/Outlines" in root
    roles, stack = set(), [root["/StructTreeRoot"]]
    while stack:
        node = stack.pop().get_object()
        if isinstance(node, pypdf.generic.DictionaryObject):
            roles.add(node.get("/S"))
            kids = node.get("/K", pypdf.generic.ArrayObject())
            stack.extend(kids if isinstance(kids, pypdf.generic.ArrayObject) else [kids])
    # What a screen reader navigates by: headings, lists, the table's header cells, links.
    assert {"/H1", "/H2", "/H3", "/L", "/LI", "/Lbl", "/LBody", "/Table", "/TH", "/TD",
            "/BlockQuote", "/Link"} <= roles, roles


def test_pdf_carries_the_exact_markdown_as_its_source(files):
    reader = pypdf.PdfReader(io.BytesIO(files["pdf"]))
    assert reader.attachments == {"documento.md": [VERBALE.encode("utf-8")]}
    source = reader.trailer["/Root"]["/AF"][0].get_object()
    assert source["/AFRelationship"] == "/Source" and source["/Desc"] == STATUS
    assert reader.metadata.subject == STATUS and reader.metadata.author == ADMINISTRATION


def test_pdf_embeds_every_font(files):
    reader = pypdf.PdfReader(io.BytesIO(files["pdf"]))
    fonts, encodings = {}, set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            encodings.add(str(font.get("/Encoding")))
            for face in [font, *(d.get_object() for d in font.get("/DescendantFonts", []))]:
                if "/FontDescriptor" in face:
                    descriptor = face["/FontDescriptor"].get_object()
                    fonts[str(face["/BaseFont"])] = sorted(
                        key for key in descriptor if key.startswith("/FontFile"))
    assert fonts and all(fonts.values()), fonts
    # Every subset named after its font, Titillium Web (the text) among them.
    assert all(re.fullmatch(r"/[A-Z]{6}\+[A-Za-z-]+", name) for name in fonts), fonts
    assert any(name.endswith("+TitilliumWeb-Regular") for name in fonts), fonts
    # A custom encoding would be a sign of a font asked to show .notdef, which PDF/A forbids.
    assert encodings == {"/Identity-H"}


def test_a_character_no_font_can_draw_prints_as_the_replacement_character():
    # U+10FFFD is private use: no font has it. PDF/A forbids showing the .notdef glyph.
    pdf = render("# Titolo\n\nprima \U0010fffd dopo, e un giunto\u200d invisibile,\u2028a capo\ufff9\n",
                 "pdf", LETTERHEAD)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert "prima \ufffd dopo, e un giunto invisibile, a capo" in reader.pages[0].extract_text()
    encodings = {str(font.get_object()["/Encoding"])
                 for font in reader.pages[0]["/Resources"]["/Font"].values()}
    assert encodings == {"/Identity-H"}, "a font with missing glyphs gets a custom encoding"


def test_every_character_of_the_basic_plane_prints():
    # Each one a glyph of a font or U+FFFD: PDF/A refuses .notdef, and the thousands of
    # CJK characters (no font here has them) make long unbroken runs of replacement characters.
    # One paragraph per 128 code points, so that right-to-left scripts reorder their own only.
    everything = "\n\n".join("".join(chr(point) for point in range(start, start + 128)
                                     if chr(point) not in "\u2028\u2029")
                             for start in range(0x80, 0xD800, 128))
    reader = pypdf.PdfReader(io.BytesIO(render(everything, "pdf", LETTERHEAD)))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "àáâãäå" in text and "αβγδ" in text and "\ufffd" * 50 in text


def test_a_long_word_wraps_inside_the_page():
    link = "https://www.padovanet.it/" + "sezione/" * 30
    reader = pypdf.PdfReader(io.BytesIO(render(f"Vedi {link} e **{'x' * 300}**\n", "pdf", LETTERHEAD)))
    page = reader.pages[0]
    right_edges = []
    page.extract_text(visitor_text=lambda text, cm, tm, font, size: right_edges.append(
        cm[4] + tm[4] + len(text.strip()) * 0.2 * size) if text.strip() else None)
    assert flat(page.extract_text()).replace(" ", "").count("sezione/") == 30
    # Every line starts inside the page's width: none ran off to the right.
    assert right_edges and max(right_edges) < float(page.mediabox.width)


def test_threads_printing_at_once_each_get_their_pdf():
    from boards.exports.pdf import render_pdf

    results: dict[int, bytes] = {}
    threads = [threading.Thread(target=lambda n=n: results.update({n: render_pdf(f"# Verbale {n}\n", LETTERHEAD)}))
               for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for n in range(4):
        assert f"Verbale {n}" in pypdf.PdfReader(io.BytesIO(results[n])).pages[0].extract_text()


def test_an_odd_letterhead_still_prints():
    odd = Letterhead("Comune " + "x" * 20_000, "T", "S" * 20_000, lang="it-IT")
    reader = pypdf.PdfReader(io.BytesIO(render("# Verbale\n", "pdf", odd)))
    assert "Verbale" in "".join(page.extract_text() for page in reader.pages)
    assert reader.trailer["/Root"]["/Lang"] == "it"


def test_headings_that_pdf_ua_refuses_print_as_pdf_a_alone():
    # An edited draft may start at level 2 or skip a level: PDF/UA-1 forbids it, PDF/A not.
    for markdown in ("## Presenze\n\nTesto.\n", "# Verbale\n\n### Presenze\n\nTesto.\n"):
        reader = pypdf.PdfReader(io.BytesIO(render(markdown, "pdf", LETTERHEAD)))
        assert pdfa.identification(reader) == {"part": "3", "conformance": "B"}
        assert pdfa.accessibility(reader) == {}
        assert "Presenze" in reader.pages[0].extract_text()


def test_the_annex_starts_on_a_page_of_its_own():
    markdown = ("# Verbale\n\nPoche righe.\n\n## Allegato: testo integrale dei contributi\n\n"
                "- **C1** Il primo contributo\n\n## Allegati al margine\n\nNon un allegato.\n")
    pages = [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(render(markdown, "pdf", LETTERHEAD))).pages]
    assert len(pages) == 2 and "Allegato" not in pages[0]
    assert "Allegato: testo integrale dei contributi" in pages[1] and "Non un allegato." in pages[1]


def test_a_run_longer_than_a_pdf_string_allows_prints():
    # 20,000 ideographs no font has: as many replacement characters, with no break between
    # them, would be one string of 40,000 bytes, which PDF/A forbids (32,767 at most).
    pages = pypdf.PdfReader(io.BytesIO(render("\u4e00" * 20_000, "pdf", LETTERHEAD))).pages
    assert "".join(page.extract_text() for page in pages).count("\ufffd") == 20_000


def test_emoji_print_as_themselves_from_the_embedded_emoji_font():
    # Sticky notes are full of them: a thumb, a family (a ZWJ sequence), a flag (two
    # regional indicators), a smile, in a heading (bold) too.
    pdf = render("# Idee 🎉\n\nBene 👍, famiglia 👨\u200d👩\u200d👧, bandiera 🇮🇹, grazie 🙂\n", "pdf", LETTERHEAD)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = reader.pages[0].extract_text()
    assert "\ufffd" not in text
    for emoji in ("🎉", "👍", "👨\u200d👩\u200d👧", "🇮🇹", "🙂"):
        assert emoji in text, emoji
    fonts = [str(font.get_object()["/BaseFont"]) for font in reader.pages[0]["/Resources"]["/Font"].values()]
    assert any(name.endswith("+NotoEmoji-Regular") for name in fonts), fonts


def test_pdf_keeps_the_internal_link_to_the_contribution(files):
    reader = pypdf.PdfReader(io.BytesIO(files["pdf"]))
    internal, external = [], []
    for page in reader.pages:
        for annotation in page.get("/Annots", []):
            annotation = annotation.get_object()
            if "/Dest" in annotation:
                target, _fit, _left, top, _zoom = annotation["/Dest"].get_object()
                internal.append((reader.get_page_number(target.get_object()), top))
            else:
                external.append(annotation["/A"]["/URI"])
    assert external == ["https://www.padovanet.it/"]
    # [C12](#c12) lands on the page, and at the height, of C12's item.
    [(number, top)] = internal
    baselines = []
    reader.pages[number].extract_text(visitor_text=lambda text, cm, tm, *_: baselines.append(
        (tm[4] * cm[1] + tm[5] * cm[3] + cm[5], text.strip())))
    heights = [height for height, text in baselines if text.startswith("C12")]
    # A line's height above its baseline: the next item's baseline is further down.
    assert heights and any(0 <= top - height < 20 for height in heights), (top, heights)


def test_an_english_document_numbers_pages_in_english():
    english = Letterhead(ADMINISTRATION, "Minutes", "Draft, not approved", lang="en")
    page = pypdf.PdfReader(io.BytesIO(render("# Minutes\n\nText.\n", "pdf", english))).pages[0]
    assert "Page 1 of 1" in page.extract_text()
    document = docx.Document(io.BytesIO(render("# Minutes\n", "docx", english)))
    assert document.sections[0].footer.paragraphs[1].text.startswith("Page ")
    assert html5lib.parse(render("# Minutes\n", "html", english).decode(),
                          namespaceHTMLElements=False).get("lang") == "en"


def test_a_status_line_cannot_break_out_of_the_page_style():
    hostile = Letterhead('Comune "di" Padova', "T", '"; } @page { @top-left { content: "X" } } /*')
    pages = pypdf.PdfReader(io.BytesIO(render("# T\n", "pdf", hostile))).pages
    text = pages[0].extract_text()
    assert 'Comune "di" Padova' in text and '@top-left { content: "X"' in text


def test_typesetting_markup_in_a_contribution_is_printed_as_text():
    # The PDF is typeset by Typst: its markup and code in a note must stay the note's text.
    hostile = ('#read("/etc/passwd") #image("https://tracker.example/p.gif") '
               '#set page(fill: red) ] } "); = Titolo falso <c1> @c1 $x^2$ \\ *non grassetto')
    pdf = render(f"# Verbale\n\n- **C1** {hostile}\n", "pdf", LETTERHEAD)
    text = flat(pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text())
    assert flat(hostile.replace("\\\\", "\\")) in text
    assert "root:" not in text


def test_characters_no_document_can_hold_are_dropped_from_the_documents_only():
    markdown = "prima\x0b seconda\x7f terza\ufdd0 fine\n"
    hostile = Letterhead("Comune\x00 di Padova", "Titolo\x1b", "Bozza\x0c")
    assert render(markdown, "md", hostile) == markdown.encode("utf-8")
    page = render(markdown, "html", hostile).decode("utf-8")
    html5lib.HTMLParser(strict=True).parse(page)
    assert "prima seconda terza fine" in page and "Comune di Padova" in page
    document = docx.Document(io.BytesIO(render(markdown, "docx", hostile)))
    assert document.paragraphs[0].text == "prima seconda terza fine"
    assert document.sections[0].header.paragraphs[0].text == "Comune di Padova"
    odt = load_odt(io.BytesIO(render(markdown, "odt", hostile)))
    assert teletype.extractText(odt.getElementsByType(odf_text.P)[0]) == "prima seconda terza fine"
