"""Charts as accessible SVG and the tables behind them (boards/charts.py), parsed with
xml.etree: structure, text alternatives, escaping, contrast, determinism."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from boards.charts import (
    BAR,
    PALETTE,
    STACKED,
    STEP,
    Chart,
    Column,
    describe,
    format_number,
    svg,
    table,
)

NS = {"svg": "http://www.w3.org/2000/svg"}
HOSTILE = "<script>alert('x')</script> & \"Coop\" ]]> \x07"


def kinds_chart(**overrides) -> Chart:
    values = {"kind": BAR, "title": "Contributi per tipo di ente", "header": "Tipo di ente",
              "rows": ("Pubblico", "Sanitario", "Terzo settore", "Altro"),
              "columns": (Column("Contributi", (8, 3, 12, 0)),), "total": True}
    return Chart(**{**values, **overrides})


def stacked_chart(**overrides) -> Chart:
    values = {"kind": STACKED, "title": "Contributi per incontro e tipo di ente", "header": "Incontro",
              "rows": ("Incontro n. 1", "Incontro n. 2"),
              "columns": (Column("Pubblico", (4, 2)), Column("Terzo settore", (6, 9)), Column("Altro", (1, 0))),
              "total": True}
    return Chart(**{**values, **overrides})


def step_chart(**overrides) -> Chart:
    values = {"kind": STEP, "title": "Impegni confermati, valore cumulato", "header": "Data",
              "rows": ("01/03/2026", "15/03/2026", "02/04/2026"),
              "columns": (Column("Valore (€)", (Decimal("1000"), Decimal("13500.50"), Decimal("40210"))),),
              "decimals": 2}
    return Chart(**{**values, **overrides})


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def texts(root: ET.Element) -> list[str]:
    """The visible words of the chart, without the tooltips of cut labels."""
    return ["".join(t.itertext()) if t.find("svg:title", NS) is None else (t.find("svg:title", NS).tail or "")
            for t in root.iter("{http://www.w3.org/2000/svg}text")]


def luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("chart", [kinds_chart(), stacked_chart(), step_chart()], ids=[BAR, STACKED, STEP])
def test_every_chart_is_an_image_named_by_its_title_and_description(chart):
    root = parse(svg(chart, id="reading-1"))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "reading-1-title reading-1-desc"
    assert root.find("svg:title", NS).get("id") == "reading-1-title"
    assert root.find("svg:title", NS).text == chart.title
    assert root.find("svg:desc", NS).get("id") == "reading-1-desc"
    assert root.find("svg:desc", NS).text == describe(chart)
    assert "style" not in svg(chart, id="reading-1")  # the CSP refuses inline styles
    # Text never smaller than 12 px at the size the chart is drawn.
    assert all(int(t.get("font-size")) >= 12 for t in root.iter("{http://www.w3.org/2000/svg}text"))


def test_bars_carry_their_values_and_labels():
    root = parse(svg(kinds_chart(), id="kinds"))
    words = texts(root)
    for label, value in [("Pubblico", "8"), ("Sanitario", "3"), ("Terzo settore", "12"), ("Altro", "0")]:
        assert label in words and value in words
    bars = [r for r in root.iter("{http://www.w3.org/2000/svg}rect")]
    widths = [float(r.get("width")) for r in bars]
    # Three bars (a zero draws none), proportional to the values: 8, 3, 12.
    assert len(widths) == 3
    assert widths[0] / widths[2] == pytest.approx(8 / 12, abs=0.01)
    assert widths[1] / widths[2] == pytest.approx(3 / 12, abs=0.01)


def test_description_names_the_main_figures():
    assert describe(kinds_chart()) == (
        "Grafico a barre orizzontali. Contributi per tipo di ente. "
        "Pubblico: 8; Sanitario: 3; Terzo settore: 12; Altro: 0. Totale: 23.")
    assert describe(stacked_chart(lang="en", title="By meeting")) == (
        "Stacked bar chart. By meeting. Incontro n. 1: 11 (Pubblico 4, Terzo settore 6, Altro 1); "
        "Incontro n. 2: 11 (Pubblico 2, Terzo settore 9, Altro 0). "
        "Totals by series: Pubblico 6, Terzo settore 15, Altro 1; Total 22.")
    assert describe(step_chart()) == (
        "Grafico a gradini. Impegni confermati, valore cumulato. "
        "Valore (€): da 1.000,00 (01/03/2026) a 40.210,00 (02/04/2026). "
        "01/03/2026: 1.000,00; 15/03/2026: 13.500,50; 02/04/2026: 40.210,00.")


def test_a_long_chart_is_described_by_its_first_rows_and_a_count():
    rows = tuple(f"Ente {n}" for n in range(1, 13))
    chart = kinds_chart(rows=rows, columns=(Column("Contributi", tuple(range(12))),), total=False)
    text = describe(chart)
    assert "Ente 8: 7; e altre 4 voci, nella tabella." in text
    assert "Ente 9" not in text


def test_stacked_bars_have_a_legend_patterns_and_segment_values():
    markup = svg(stacked_chart(), id="by-meeting")
    root = parse(markup)
    patterns = root.findall("svg:defs/svg:pattern", NS)
    # The first series is plain, every other one has a pattern of its own.
    assert [p.get("id") for p in patterns] == ["by-meeting-p1", "by-meeting-p2"]
    fills = {r.get("fill") for r in root.iter("{http://www.w3.org/2000/svg}rect")}
    assert {PALETTE[0], "url(#by-meeting-p1)", "url(#by-meeting-p2)"} <= fills
    words = texts(root)
    assert {"Pubblico", "Terzo settore", "Altro"} <= set(words)  # the legend
    assert words.count("11") == 2  # the totals at the end of the bars
    assert "9" in words and "6" in words  # values inside the segments


def test_palette_contrasts_with_white_and_between_neighbours():
    for colour in PALETTE:
        assert contrast(colour, "#ffffff") >= 3
    for left, right in zip(PALETTE, PALETTE[1:] + PALETTE[:1]):
        assert contrast(left, right) >= 3, (left, right)


def test_step_chart_draws_a_step_line_through_every_point():
    root = parse(svg(step_chart(), id="pledges"))
    lines = [p for p in root.iter("{http://www.w3.org/2000/svg}path") if p.get("stroke") == PALETTE[0]]
    assert len(lines) == 1
    assert re.fullmatch(r"M[\d.]+,[\d.]+( H[\d.]+ V[\d.]+){2}", lines[0].get("d"))
    words = texts(root)
    assert {"1.000,00", "13.500,50", "40.210,00"} <= set(words)
    assert {"01/03/2026", "02/04/2026"} <= set(words)
    assert "40.000" in words  # whole gridline values lose their decimals


def test_several_step_lines_differ_by_dash_and_marker():
    chart = step_chart(columns=(Column("A", (1, 2, 3)), Column("B", (0, 2, 2))), decimals=0)
    root = parse(svg(chart, id="two"))
    lines = [p for p in root.iter("{http://www.w3.org/2000/svg}path") if p.get("stroke") in PALETTE[:2]
             and p.get("stroke-width") == "2.5" and " V" in p.get("d")]
    assert [p.get("stroke-dasharray") for p in lines] == [None, "8 4"]
    assert len(root.findall(".//svg:circle", NS)) == 4  # three points and the legend's sample
    assert len(root.findall(".//svg:rect", NS)) == 4


def test_no_two_of_the_first_twenty_lines_look_alike_without_colour():
    from boards.charts import DASHES, MARKERS
    looks = {(DASHES[i % len(DASHES)], MARKERS[i % len(MARKERS)]) for i in range(20)}
    assert len(looks) == 20


def test_several_lines_write_their_last_values_apart_right_of_the_plot():
    chart = step_chart(columns=(Column("A", (5, 10)), Column("B", (5, 9.8)), Column("C", (0, 9.7))),
                       rows=("1", "2"), decimals=1)
    root = parse(svg(chart, id="close"))
    ends = [t for t in root.iter("{http://www.w3.org/2000/svg}text") if t.get("font-weight") == "700"]
    assert [t.text for t in ends] == ["10,0", "9,8", "9,7"]
    ys = sorted(float(t.get("y")) for t in ends)
    assert all(b - a >= 17 for a, b in zip(ys, ys[1:]))
    assert len({t.get("x") for t in ends}) == 1


def test_hostile_text_is_escaped_everywhere():
    chart = stacked_chart(title=HOSTILE, header=HOSTILE, rows=(HOSTILE, "Incontro"),
                          columns=(Column(HOSTILE, (1, 2)), Column("B", (3, 4))))
    markup = svg(chart, id="hostile")
    root = parse(markup)  # well-formed XML despite the bell and the markup
    assert "<script" not in markup and "\x07" not in markup
    assert root.find("svg:title", NS).text == HOSTILE.replace("\x07", "")
    assert HOSTILE.replace("\x07", "") in root.find("svg:desc", NS).text
    html = table(chart, id="hostile-table")
    assert "<script" not in html and "&lt;script&gt;" in html and "&quot;Coop&quot;" in html
    parsed = parse(html)
    assert parsed.find("caption").text == HOSTILE.replace("\x07", "")


def test_long_labels_wrap_on_two_lines_then_are_cut_with_the_whole_text_as_tooltip():
    long = "Cooperativa sociale di tipo A per l'inclusione lavorativa delle persone fragili del distretto"
    root = parse(svg(kinds_chart(rows=(long, "B", "C", "D")), id="long"))
    label = next(t for t in root.iter("{http://www.w3.org/2000/svg}text") if t.find("svg:title", NS) is not None)
    assert label.find("svg:title", NS).text == long
    first, second = [span.text for span in label.findall("svg:tspan", NS)]
    assert long.startswith(first + " ") and second.endswith("…")
    assert (first + " " + second[:-1]).rstrip() in long
    # A row with a label on two lines is 44 units tall instead of 34; bars stay 22 thick,
    # in the middle of their row.
    bars = list(root.iter("{http://www.w3.org/2000/svg}rect"))
    assert {bar.get("height") for bar in bars} == {"22"}
    assert float(bars[1].get("y")) - float(bars[0].get("y")) == 44 / 2 + 34 / 2


def test_the_table_behind_a_chart():
    root = parse(table(stacked_chart(), id="by-meeting-table"))
    assert root.get("id") == "by-meeting-table"
    assert root.find("caption").text == "Contributi per incontro e tipo di ente"
    header = root.findall("thead/tr/th")
    assert [th.text for th in header] == ["Incontro", "Pubblico", "Terzo settore", "Altro", "Totale"]
    assert all(th.get("scope") == "col" for th in header)
    rows = [[cell.text for cell in tr] for tr in root.findall("tbody/tr")]
    assert rows == [["Incontro n. 1", "4", "6", "1", "11"], ["Incontro n. 2", "2", "9", "0", "11"]]
    assert all(tr[0].get("scope") == "row" for tr in root.findall("tbody/tr"))
    assert [cell.text for cell in root.find("tfoot/tr")] == ["Totale", "6", "15", "1", "22"]


def test_a_step_table_has_no_total_and_the_bar_table_one_total_row():
    assert parse(table(step_chart(total=True), id="t")).find("tfoot") is None
    assert [c.text for c in parse(table(kinds_chart(), id="t")).find("tfoot/tr")] == ["Totale", "23"]


def test_output_is_deterministic():
    assert svg(stacked_chart(), id="a") == svg(stacked_chart(), id="a")
    assert svg(step_chart(), id="a") == svg(step_chart(), id="a")


def test_an_empty_chart_says_so():
    chart = kinds_chart(rows=(), columns=(Column("Contributi", ()),))
    root = parse(svg(chart, id="empty"))
    assert texts(root) == ["Nessun dato"]
    assert root.find("svg:desc", NS).text == "Grafico a barre orizzontali. Contributi per tipo di ente. Nessun dato."
    zero = kinds_chart(columns=(Column("Contributi", (0, 0, 0, 0)),))
    assert texts(parse(svg(zero, id="zero"))) == ["Nessun dato"]


def test_numbers_in_each_language():
    assert format_number(1234567, "it") == "1.234.567"
    assert format_number(Decimal("1234.5"), "it", 2) == "1.234,50"
    assert format_number(Decimal("1234.5"), "en", 2) == "1,234.50"
    assert format_number(Decimal("0.125"), "en", 2) == "0.12"  # half to even


def test_malformed_charts_and_ids_are_refused():
    with pytest.raises(ValueError):
        svg(kinds_chart(), id='x" onload="alert(1)')
    with pytest.raises(ValueError):
        kinds_chart(columns=(Column("a", (1, 2)),))
    with pytest.raises(ValueError):
        kinds_chart(columns=(Column("a", (1, 2, 3, 4)), Column("b", (1, 2, 3, 4))))
    with pytest.raises(ValueError):
        kinds_chart(columns=(Column("a", (1, -2, 3, 4)),))
    with pytest.raises(ValueError):
        kinds_chart(kind="pie")
