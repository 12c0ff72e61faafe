"""Charts drawn on the server as accessible SVG: horizontal bars, stacked bars and a step
line (a cumulative figure over time), each with the HTML table behind it.

A `Chart` is a small table: rows (the bars, or the points in time of a step chart), one
`Column` per series. `svg()` draws it with `role="img"`, a `<title>` and a `<desc>` that say
what it shows and its main figures (`describe()`), values written on the bars, colours with
at least 3:1 contrast against white and between neighbouring series, and a pattern for every
series but the first, so that colour is never the only way to tell them apart (WCAG 1.4.1).
`table()` writes the same figures as an HTML table with caption and `scope` headers.

Only presentation attributes (`fill`, `font-size`), never `style`: the pages' CSP refuses
inline styles. Every text is escaped; the output depends on nothing but the chart, so the
same figures give the same bytes. The pages (app/pages/insights.py) and the exports of the
synthesis document (boards/exports/markdown.py, docs/exports.md) use it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from html import escape

BAR = "bar"
STACKED = "stacked"
STEP = "step"
KINDS = (BAR, STACKED, STEP)

# The width every chart is drawn at, in SVG user units (CSS pixels at 100 %). The pages'
# stylesheet lets a chart shrink to no less than 86 % of it, so 14-unit text stays ≥ 12 px.
WIDTH = 720
FONT = 14
TEXT = "#1a1a1a"  # 17:1 on white
AXIS = "#5c6f82"  # Bootstrap Italia's grey, 5:1 on white
GRID = "#c5c7c9"  # gridlines are decoration: every value is written
# Mid and dark tones alternate, so that neighbours in a stack differ by more than 3:1 in
# luminance (mid ≈ 0.26, dark ≈ 0.035) and every tone stands 3.38:1 or more on white.
PALETTE = ("#2d8eee", "#0b3d24", "#d47211", "#4a167d", "#0d9f6e", "#10365b", "#c15ff2", "#57270f")
# The fill of the series after the first: white marks over the series' colour.
PATTERNS = (None, "stripes", "dots", "crosshatch", "lines")
# Lines differ by dash and marker too; five dashes and four markers repeat together only
# after twenty lines.
DASHES = (None, "8 4", "2 4", "10 4 2 4", "14 4")
MARKERS = ("circle", "square", "triangle", "diamond")
# Above this many rows, the text alternative names the first ones and counts the others.
DESCRIBED_ROWS = 8
_ID = re.compile(r"[a-z][a-z0-9-]{0,63}")
# What XML 1.0 cannot hold (control characters but tab and line ends, surrogates, U+FFFE/F).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

Number = int | float | Decimal

_WORDS = {
    "it": {BAR: "Grafico a barre orizzontali", STACKED: "Grafico a barre sovrapposte", STEP: "Grafico a gradini",
           "total": "Totale", "more": "e altre {n} voci, nella tabella", "none": "Nessun dato",
           "from": "da {a} ({x}) a {b} ({y})", "totals": "Totali per serie"},
    "en": {BAR: "Horizontal bar chart", STACKED: "Stacked bar chart", STEP: "Step chart",
           "total": "Total", "more": "and {n} more, in the table", "none": "No data",
           "from": "from {a} ({x}) to {b} ({y})", "totals": "Totals by series"},
}


@dataclass(frozen=True)
class Column:
    """One series: a name (a column of the table) and a value for every row."""

    name: str
    values: tuple[Number, ...]


@dataclass(frozen=True)
class Chart:
    """What a chart shows. `rows` are the bars (or the points in time of a step chart, in
    order); `header` names them in the table. A bar chart has one column; stacked bars and
    step lines one or more. `total` adds a total row (and, stacked, a total column)."""

    kind: str
    title: str
    header: str
    rows: tuple[str, ...]
    columns: tuple[Column, ...]
    decimals: int = 0
    lang: str = "it"
    total: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Unknown chart kind {self.kind!r}")
        if not self.columns or (self.kind == BAR and len(self.columns) != 1):
            raise ValueError("A bar chart has one column; stacked and step charts at least one")
        for column in self.columns:
            if len(column.values) != len(self.rows):
                raise ValueError(f"Column {column.name!r} has {len(column.values)} values for {len(self.rows)} rows")
            if any(value < 0 for value in column.values):
                raise ValueError(f"Column {column.name!r} has a negative value")

    def word(self, key: str) -> str:
        return _WORDS.get(self.lang, _WORDS["it"])[key]

    def number(self, value: Number) -> str:
        return format_number(value, self.lang, self.decimals)

    def row_totals(self) -> list[Number]:
        return [sum(column.values[i] for column in self.columns) for i in range(len(self.rows))]

    def column_totals(self) -> list[Number]:
        return [sum(column.values) for column in self.columns]

    @property
    def empty(self) -> bool:
        return not self.rows or not any(value for column in self.columns for value in column.values)


def format_number(value: Number, lang: str, decimals: int = 0) -> str:
    """1.234 or 1.234,50 in Italian, 1,234 or 1,234.50 in English (half to even)."""
    quantum = Decimal(1).scaleb(-decimals)
    text = f"{Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_EVEN):,.{decimals}f}"
    if lang == "it":
        return text.replace(",", " ").replace(".", ",").replace(" ", ".")
    return text


# --- text ---------------------------------------------------------------------------------------


def _text(value: str) -> str:
    """Escaped for XML and HTML, without what XML cannot hold."""
    return escape(_NOT_XML.sub("", value), quote=True)


def _width(text: str, size: int = FONT) -> float:
    """An upper estimate of the text's width: sans-serif glyphs average under 0.6 em."""
    return len(text) * size * 0.6


def _fit(text: str, width: float, size: int = FONT) -> str:
    """The text, cut with an ellipsis to fit `width` (the table has it whole)."""
    text = " ".join(text.split())
    if _width(text, size) <= width:
        return text
    keep = max(1, int(width / (size * 0.6)) - 1)
    return text[:keep].rstrip() + "…"


def _n(value: float) -> str:
    """A coordinate, to a tenth of a unit (deterministic, short)."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def describe(chart: Chart) -> str:
    """The text alternative: the kind of chart, its title and its main figures."""
    parts = [f"{chart.word(chart.kind)}. {chart.title}."]
    if chart.empty:
        return f"{parts[0]} {chart.word('none')}."
    shown = chart.rows[:DESCRIBED_ROWS]
    more = len(chart.rows) - len(shown)
    tail = f"; {chart.word('more').format(n=more)}" if more > 0 else ""
    if chart.kind == BAR:
        values = chart.columns[0].values
        parts.append("; ".join(f"{row}: {chart.number(values[i])}" for i, row in enumerate(shown)) + tail + ".")
        if chart.total:
            parts.append(f"{chart.word('total')}: {chart.number(sum(values))}.")
    elif chart.kind == STACKED:
        totals = chart.row_totals()
        listed = []
        for i, row in enumerate(shown):
            inner = ", ".join(f"{column.name} {chart.number(column.values[i])}" for column in chart.columns)
            listed.append(f"{row}: {chart.number(totals[i])} ({inner})")
        parts.append("; ".join(listed) + tail + ".")
        parts.append(f"{chart.word('totals')}: " + ", ".join(
            f"{column.name} {chart.number(total)}" for column, total in zip(chart.columns, chart.column_totals()))
            + (f"; {chart.word('total')} {chart.number(sum(totals))}" if chart.total else "") + ".")
    else:
        first, last = chart.rows[0], chart.rows[-1]
        parts.append("; ".join(
            f"{column.name}: " + chart.word("from").format(
                a=chart.number(column.values[0]), x=first, b=chart.number(column.values[-1]), y=last)
            for column in chart.columns) + ".")
        if len(chart.columns) == 1 and len(chart.rows) > 2:
            values = chart.columns[0].values
            parts.append("; ".join(f"{row}: {chart.number(values[i])}" for i, row in enumerate(shown)) + tail + ".")
    return " ".join(parts)


# --- SVG ------------------------------------------------------------------------------------------


def _check_id(id: str) -> None:
    if not _ID.fullmatch(id):
        raise ValueError(f"Chart id {id!r}: lower-case letters, digits and hyphens, starting with a letter")


def _fill(id: str, index: int) -> str:
    return f"url(#{id}-p{index})" if PATTERNS[index % len(PATTERNS)] else PALETTE[index % len(PALETTE)]


def _patterns(id: str, count: int) -> list[str]:
    """One <pattern> per series that has one: white marks over the series' colour."""
    out = []
    for index in range(count):
        kind = PATTERNS[index % len(PATTERNS)]
        if not kind:
            continue
        colour = PALETTE[index % len(PALETTE)]
        marks = {
            "stripes": '<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke="#ffffff" stroke-width="2"/>',
            "dots": '<circle cx="4" cy="4" r="1.8" fill="#ffffff"/>',
            "crosshatch": '<path d="M0,0 L8,8 M8,0 L0,8" stroke="#ffffff" stroke-width="1.5"/>',
            "lines": '<path d="M0,4 H8" stroke="#ffffff" stroke-width="2"/>',
        }[kind]
        out.append(f'<pattern id="{id}-p{index}" width="8" height="8" patternUnits="userSpaceOnUse">'
                   f'<rect width="8" height="8" fill="{colour}"/>{marks}</pattern>')
    return out


def _label(x: float, y: float, text: str, *, anchor: str = "start", size: int = FONT, bold: bool = False,
           full: str | None = None) -> str:
    weight = ' font-weight="700"' if bold else ""
    hint = f"<title>{_text(full)}</title>" if full and full != text else ""
    return (f'<text x="{_n(x)}" y="{_n(y)}" font-size="{size}" fill="{TEXT}" text-anchor="{anchor}"{weight}>'
            f"{hint}{_text(text)}</text>")


def _wrap(text: str, width: float, most: int = 2) -> list[str]:
    """The text over at most `most` lines of `width`, the last one cut if need be."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and _width(candidate) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    lines.append(current)
    if len(lines) > most:
        lines = [*lines[:most - 1], " ".join(lines[most - 1:])]
    return [_fit(line, width) for line in lines]


def _lines(x: float, y: float, lines: list[str], *, full: str) -> str:
    """A right-aligned label over several lines, 16 units apart; the whole text as tooltip."""
    spans = "".join(f'<tspan x="{_n(x)}" y="{_n(y + 16 * k)}">{_text(line)}</tspan>' for k, line in enumerate(lines))
    return (f'<text x="{_n(x)}" y="{_n(y)}" font-size="{FONT}" fill="{TEXT}" text-anchor="end">'
            f"<title>{_text(full)}</title>{spans}</text>")


def _legend(chart: Chart, id: str, top: float, *, lines: bool = False) -> tuple[list[str], float]:
    """The series' swatches and names, wrapped over rows; returns the marks and the height."""
    out: list[str] = []
    x, y = 0.0, top
    for index, column in enumerate(chart.columns):
        name = _fit(column.name, WIDTH / 2)
        item = 22 + _width(name) + 18
        if x and x + item > WIDTH:
            x, y = 0.0, y + 24
        if lines:
            out.append(_line_sample(index, x, y + 8))
        else:
            out.append(f'<rect x="{_n(x)}" y="{_n(y + 1)}" width="16" height="16" fill="{_fill(id, index)}" '
                       f'stroke="{AXIS}" stroke-width="1"/>')
        out.append(_label(x + 22, y + 14, name, full=column.name))
        x += item
    return out, y + 24 - top


def _line_sample(index: int, x: float, y: float) -> str:
    colour = PALETTE[index % len(PALETTE)]
    dash = DASHES[index % len(DASHES)]
    dashed = f' stroke-dasharray="{dash}"' if dash else ""
    return (f'<path d="M{_n(x)},{_n(y)} H{_n(x + 16)}" stroke="{colour}" stroke-width="2.5" fill="none"{dashed}/>'
            + _marker(index, x + 8, y))


def _marker(index: int, x: float, y: float) -> str:
    colour = PALETTE[index % len(PALETTE)]
    shape = MARKERS[index % len(MARKERS)]
    common = f'fill="{colour}" stroke="#ffffff" stroke-width="1.5"'
    if shape == "circle":
        return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="5" {common}/>'
    if shape == "square":
        return f'<rect x="{_n(x - 4.5)}" y="{_n(y - 4.5)}" width="9" height="9" {common}/>'
    if shape == "triangle":
        return f'<path d="M{_n(x)},{_n(y - 6)} L{_n(x + 5.5)},{_n(y + 4)} L{_n(x - 5.5)},{_n(y + 4)} Z" {common}/>'
    return f'<path d="M{_n(x)},{_n(y - 6)} L{_n(x + 6)},{_n(y)} L{_n(x)},{_n(y + 6)} L{_n(x - 6)},{_n(y)} Z" {common}/>'


def _bars(chart: Chart, id: str) -> tuple[list[str], float]:
    """Horizontal bars, stacked when there are several columns; values on them."""
    out: list[str] = []
    top = 8.0
    if chart.kind == STACKED:
        legend, height = _legend(chart, id, top)
        out += legend
        top += height + 8
    totals = chart.row_totals()
    largest = max(totals) or 1
    labels = [" ".join(row.split()) for row in chart.rows]
    label_width = min(max(_width(label) for label in labels) + 12, WIDTH * 0.4)
    value_width = max(_width(chart.number(total)) for total in totals) + 12
    plot = WIDTH - label_width - value_width - 8
    bar = 22
    y = top
    for i, label in enumerate(labels):
        lines = _wrap(label, label_width - 12)
        # A label on two lines takes a taller row; the bar stays in its middle.
        pitch = 34 if len(lines) == 1 else 44
        middle = y + pitch / 2
        y += pitch
        if len(lines) == 1:
            out.append(_label(label_width - 8, middle + 5, lines[0], anchor="end", full=label))
        else:
            out.append(_lines(label_width - 8, middle - 3, lines, full=label))
        x = label_width
        for index, column in enumerate(chart.columns):
            value = column.values[i]
            width = float(value) / float(largest) * plot
            if width <= 0:
                continue
            out.append(f'<rect x="{_n(x)}" y="{_n(middle - bar / 2)}" width="{_n(width)}" height="{bar}" '
                       f'fill="{_fill(id, index)}" stroke="#ffffff" stroke-width="1"/>')
            text = chart.number(value)
            chip = _width(text) + 6
            if chart.kind == STACKED and width >= chip + 4:
                out.append(f'<rect x="{_n(x + width / 2 - chip / 2)}" y="{_n(middle - 9)}" width="{_n(chip)}" '
                           f'height="18" rx="3" fill="#ffffff"/>')
                out.append(_label(x + width / 2, middle + 5, text, anchor="middle"))
            x += width
        out.append(_label(x + 6, middle + 5, chart.number(totals[i]), bold=chart.kind == STACKED))
    out.append(f'<path d="M{_n(label_width)},{_n(top)} V{_n(y)}" stroke="{AXIS}" stroke-width="1.5"/>')
    return out, y + 8


def _ticks(largest: float) -> list[float]:
    """Round gridline values from 0 to at least `largest`, at most six of them."""
    if largest <= 0:
        return [0.0, 1.0]
    raw = largest / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    count = math.ceil(largest / step - 1e-9)
    return [step * k for k in range(count + 1)]


def _apart(positions: list[float], gap: float, lowest: float) -> list[float]:
    """The positions moved just enough that no two are closer than `gap`, none below
    `lowest` (the last values of several lines, written one under the other)."""
    order = sorted(range(len(positions)), key=lambda i: positions[i])
    moved = list(positions)
    for before, after in zip(order, order[1:]):
        moved[after] = max(moved[after], moved[before] + gap)
    overflow = max(0.0, moved[order[-1]] - lowest)
    return [y - overflow for y in moved]


def _step(chart: Chart, id: str) -> tuple[list[str], float]:
    """A step line per column: each value holds until the next point in time."""
    out: list[str] = []
    top = 8.0
    if len(chart.columns) > 1:
        legend, height = _legend(chart, id, top, lines=True)
        out += legend
        top += height + 8
    top += 18  # room for the value written above the highest point
    ticks = _ticks(max(float(v) for column in chart.columns for v in column.values))
    # Whole ticks are written without decimals, even for amounts in euro.
    places = chart.decimals if any(t != int(t) for t in ticks) else 0
    tick_labels = [format_number(Decimal(str(t)), chart.lang, places) for t in ticks]
    left = max(_width(t) for t in tick_labels) + 14
    several = len(chart.columns) > 1
    # Several lines: their last values stand in a column right of the plot, next to each line.
    right = max(_width(chart.number(c.values[-1])) for c in chart.columns) + 18 if several else 16.0
    plot_height = 220.0
    plot_width = WIDTH - left - right
    bottom = top + plot_height
    y_of = lambda value: bottom - float(value) / ticks[-1] * plot_height  # noqa: E731
    for tick, text in zip(ticks, tick_labels):
        y = y_of(tick)
        out.append(f'<path d="M{_n(left)},{_n(y)} H{_n(WIDTH - right)}" stroke="{GRID}" stroke-width="1"/>')
        out.append(_label(left - 6, y + 5, text, anchor="end"))
    out.append(f'<path d="M{_n(left)},{_n(top)} V{_n(bottom)} H{_n(WIDTH - right)}" stroke="{AXIS}" '
               f'stroke-width="1.5" fill="none"/>')
    count = len(chart.rows)
    inner = plot_width - 24
    x_of = (lambda i: left + 12 + inner / 2) if count == 1 else (lambda i: left + 12 + i * inner / (count - 1))  # noqa: E731
    labels = [" ".join(row.split()) for row in chart.rows]
    room = max(_width(label) for label in labels) + 12
    every = max(1, math.ceil(room / (inner / max(count - 1, 1)))) if count > 1 else 1
    shown = list(range(0, count, every))
    if shown[-1] != count - 1 and (count - 1 - shown[-1]) * inner / max(count - 1, 1) >= room:
        shown.append(count - 1)
    for i in shown:
        anchor = "start" if (i == 0 and count > 1) else "end" if (i == count - 1 and count > 1) else "middle"
        x = x_of(i) - 4 if anchor == "start" else x_of(i) + 4 if anchor == "end" else x_of(i)
        out.append(_label(x, bottom + 22, _fit(labels[i], room * every), anchor=anchor, full=labels[i]))
    every_value = not several and count <= 12
    last_label = _apart([y_of(column.values[-1]) + 5 for column in chart.columns], 17, bottom + 5)
    for index, column in enumerate(chart.columns):
        colour = PALETTE[index % len(PALETTE)]
        dash = DASHES[index % len(DASHES)]
        path = f"M{_n(x_of(0))},{_n(y_of(column.values[0]))}"
        for i in range(1, count):
            path += f" H{_n(x_of(i))} V{_n(y_of(column.values[i]))}"
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<path d="{path}" stroke="{colour}" stroke-width="2.5" fill="none"{dashed}/>')
        for i, value in enumerate(column.values):
            out.append(_marker(index, x_of(i), y_of(value)))
            if several and i == count - 1:
                out.append(_label(WIDTH - right + 8, last_label[index], chart.number(value), bold=True))
            elif every_value or i == count - 1:
                anchor = "end" if i == count - 1 and count > 1 else "middle"
                out.append(_label(x_of(i) + (6 if anchor == "end" else 0), y_of(value) - 10, chart.number(value),
                                  anchor=anchor, bold=i == count - 1))
    return out, bottom + 34


def svg(chart: Chart, *, id: str) -> str:
    """The chart as an inline SVG element, `id` (lower-case letters, digits, hyphens) naming
    it and prefixing the ids inside it. Raises ValueError for a malformed id."""
    _check_id(id)
    if chart.empty:
        marks, height = [_label(WIDTH / 2, 30, chart.word("none"), anchor="middle")], 48.0
    elif chart.kind == STEP:
        marks, height = _step(chart, id)
    else:
        marks, height = _bars(chart, id)
    defs = _patterns(id, len(chart.columns)) if chart.kind == STACKED and not chart.empty else []
    return "\n".join([
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{id}" class="chart" role="img" '
        f'aria-labelledby="{id}-title {id}-desc" viewBox="0 0 {WIDTH} {_n(height)}" '
        f'width="{WIDTH}" height="{_n(height)}">',
        f'<title id="{id}-title">{_text(chart.title)}</title>',
        f'<desc id="{id}-desc">{_text(describe(chart))}</desc>',
        *([f"<defs>{''.join(defs)}</defs>"] if defs else []),
        *marks,
        "</svg>",
    ]) + "\n"


# --- the table behind it ----------------------------------------------------------------------------


def table(chart: Chart, *, id: str) -> str:
    """The chart's figures as an HTML table: caption, column and row headers with `scope`."""
    _check_id(id)
    stacked_total = chart.total and chart.kind == STACKED
    head = [f'<th scope="col">{_text(chart.header)}</th>']
    head += [f'<th scope="col" class="text-end">{_text(column.name)}</th>' for column in chart.columns]
    if stacked_total:
        head.append(f'<th scope="col" class="text-end">{_text(chart.word("total"))}</th>')
    body = []
    totals = chart.row_totals()
    for i, row in enumerate(chart.rows):
        cells = [f'<td class="text-end">{chart.number(column.values[i])}</td>' for column in chart.columns]
        if stacked_total:
            cells.append(f'<td class="text-end">{chart.number(totals[i])}</td>')
        body.append(f'<tr><th scope="row">{_text(row)}</th>{"".join(cells)}</tr>')
    foot = ""
    if chart.total and chart.kind != STEP:
        cells = [f'<td class="text-end">{chart.number(total)}</td>' for total in chart.column_totals()]
        if stacked_total:
            cells.append(f'<td class="text-end">{chart.number(sum(totals))}</td>')
        foot = f'<tfoot><tr><th scope="row">{_text(chart.word("total"))}</th>{"".join(cells)}</tr></tfoot>'
    return (f'<table class="table chart-table" id="{id}">'
            f"<caption>{_text(chart.title)}</caption>"
            f"<thead><tr>{''.join(head)}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody>{foot}</table>\n")
