"""Charts in the exports (boards/exports/markdown.py): a table under a chart caption is drawn
as SVG in HTML and PDF, and stays a plain table everywhere, whatever it holds."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

from pypdf import PdfReader

from boards.exports import Letterhead, html_fragment, render
from boards.exports.markdown import parse

NS = {"svg": "http://www.w3.org/2000/svg"}
LETTERHEAD = Letterhead("Comune di Prova", "Documento istruttore di sintesi", "Bozza non approvata")

READINGS = """## Letture di sintesi

*Grafico a barre: Contributi per tipo di ente*

| Tipo di ente | Contributi |
|---|---:|
| Pubblica amministrazione | 8 |
| Terzo settore \\<script\\> \\& \\| co | 1.012 |
| **Totale** | **1.020** |

*Grafico a gradini: Impegni confermati nel tempo, cumulati (€)*

| Mese | Totale (€) |
|---|---:|
| 03/2026 | 1.000,00 |
| 04/2026 | 13.500,50 |
"""


def svgs(html: str) -> list[ET.Element]:
    return [ET.fromstring(found) for found in re.findall(r"<svg .*?</svg>", html, flags=re.S)]


def test_a_captioned_table_is_drawn_before_itself():
    html = html_fragment(READINGS)
    bars, steps = svgs(html)
    assert bars.get("id") == "figure-1" and steps.get("id") == "figure-2"
    assert bars.find("svg:title", NS).text == "Contributi per tipo di ente"
    # The total row is the table's, not a bar; numbers are read in Italian.
    assert bars.find("svg:desc", NS).text == (
        "Grafico a barre orizzontali. Contributi per tipo di ente. "
        "Pubblica amministrazione: 8; Terzo settore <script> & | co: 1.012. Totale: 1.020.")
    assert "13.500,50" in steps.find("svg:desc", NS).text
    # The caption becomes the figure's, the table follows untouched.
    assert "<figcaption>Grafico a barre: Contributi per tipo di ente</figcaption>\n</figure>\n<table" in html
    assert html.count("<table") == 2
    assert "<script>" not in html


def test_the_downloaded_html_holds_the_charts_and_md_docx_odt_keep_the_text():
    document = render(READINGS, "html", LETTERHEAD).decode()
    assert len(svgs(document)) == 2
    assert render(READINGS, "md", LETTERHEAD) == READINGS.encode()
    # DOCX and ODT are written from the tree, where the caption is a paragraph like any other.
    kinds = [node.type for node in parse(READINGS).children]
    assert kinds == ["heading", "paragraph", "table", "paragraph", "table"]


def test_the_pdf_draws_the_chart_labels_and_values():
    text = PdfReader(io.BytesIO(render(READINGS, "pdf", LETTERHEAD))).pages[0].extract_text()
    # Once on the bar, once in the table.
    assert text.count("Pubblica amministrazione") == 2
    assert text.count("13.500,50") == 2


def test_english_captions_read_english_numbers():
    html = html_fragment("*Stacked bar chart: By meeting*\n\n| Meeting | Public | Partners |\n|---|--:|--:|\n"
                         "| Meeting 1 | 1,200 | 3.5 |\n| Meeting 2 | 0 | 2 |\n")
    (chart,) = svgs(html)
    assert chart.find("svg:desc", NS).text.startswith(
        "Stacked bar chart. By meeting. Meeting 1: 1,203.5 (Public 1,200.0, Partners 3.5)")


def test_what_is_not_a_chart_stays_a_table():
    cases = [
        # Text where a number should be.
        "*Grafico a barre: x*\n\n| a | b |\n|---|---|\n| uno | due |\n",
        # A number written the other language's way.
        "*Grafico a barre: x*\n\n| a | b |\n|---|---|\n| uno | 12.5 |\n",
        # Not the whole paragraph in italics, or an unknown kind of chart.
        "Vedi *Grafico a barre: x*\n\n| a | b |\n|---|---|\n| uno | 1 |\n",
        "*Grafico a torta: x*\n\n| a | b |\n|---|---|\n| uno | 1 |\n",
        # Only a total row.
        "*Grafico a barre: x*\n\n| a | b |\n|---|---|\n| **Totale** | 1 |\n",
        # A caption without a table after it.
        "*Grafico a barre: x*\n\nTesto.\n",
        # More rows than a page holds.
        "*Grafico a barre: x*\n\n| a | b |\n|---|---|\n" + "".join(f"| r{n} | {n} |\n" for n in range(61)),
        # A person's text, escaped by the synthesis, is never a caption.
        "\\*Grafico a barre: x\\*\n\n| a | b |\n|---|---|\n| uno | 1 |\n",
    ]
    for markdown in cases:
        assert "<svg" not in html_fragment(markdown), markdown


def test_hostile_captions_and_labels_are_escaped():
    html = html_fragment('*Grafico a barre: <img src=x onerror=alert(1)> "q"*\n\n'
                         "| a | b |\n|---|---|\n| <b>x</b> | 1 |\n")
    (chart,) = svgs(html)
    assert chart.find("svg:title", NS).text == '<img src=x onerror=alert(1)> "q"'
    assert "<img" not in html and "<b>" not in html
