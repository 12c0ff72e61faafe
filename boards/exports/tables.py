"""Tables of the record (contributions, pledges…) as CSV and XLSX, safe to open in a
spreadsheet.

A cell that starts with a formula trigger (`=`, `+`, `-`, `@`, tab, carriage return, or
their full-width forms) would run as a formula in Excel or LibreOffice, so a participant
could plant `=HYPERLINK(...)` or worse in a contribution (OWASP "CSV Injection"). Such text
cells are neutralised: in CSV with a leading `'`, in XLSX stored as text with Excel's
"quote prefix" (the text is kept exactly, and editing the cell keeps it text). Numbers are
written as numbers, never altered.

CSV is written for Excel as Italian offices have it: UTF-8 with a byte-order mark (without
it Excel reads "perché" as "perchÃ©"), `;` between fields and a decimal comma (the Italian
list separator and decimal mark, so numbers land in their own cells), CRLF line ends.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timezone
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

# OWASP's list, plus the full-width forms that Excel in some locales also takes as formulas.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
CSV_DELIMITER = ";"
# Wide enough for a name, narrow enough that a 2,000-character contribution wraps.
_MAX_COLUMN_WIDTH = 60

Columns = list[tuple[str, str]]


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet would read the text as a formula."""
    return text.startswith(FORMULA_TRIGGERS)


def _csv_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "sì" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    if isinstance(value, float):
        return str(value).replace(".", ",")
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    return "'" + text if is_formula_like(text) else text


def to_csv(columns: Columns, rows: list[dict]) -> bytes:
    """The rows as CSV (UTF-8 with BOM, `;`, CRLF), one column per (key, header) pair;
    formula-like text cells get a leading `'`."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow([_csv_value(header) for _, header in columns])
    for row in rows:
        writer.writerow([_csv_value(row.get(key)) for key, _ in columns])
    return out.getvalue().encode("utf-8-sig")


def _xlsx_value(value: object) -> object:
    if isinstance(value, datetime) and value.tzinfo is not None:
        # Excel has no time zones: aware times are written in UTC.
        return value.astimezone(timezone.utc).replace(tzinfo=None)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def to_xlsx(columns: Columns, rows: list[dict]) -> bytes:
    """The rows as an XLSX workbook with a bold, frozen header row and filters; formula-like
    text is stored as text (quote prefix), never as a formula."""
    workbook = Workbook()
    sheet = workbook.active
    widths = [len(header) for _, header in columns]
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="E6ECF2")
    wrap = Alignment(wrap_text=True, vertical="top")
    for index, (_, header) in enumerate(columns, start=1):
        cell = _write(sheet, 1, index, header)
        cell.font, cell.fill = bold, fill
    for row_index, row in enumerate(rows, start=2):
        for index, (key, _) in enumerate(columns, start=1):
            cell = _write(sheet, row_index, index, _xlsx_value(row.get(key)))
            if isinstance(cell.value, str):
                cell.alignment = wrap
                widths[index - 1] = max(widths[index - 1], len(cell.value))
            elif isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, _MAX_COLUMN_WIDTH)
    sheet.freeze_panes = "A2"
    if columns:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(len(rows) + 1, 1)}"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _write(sheet, row: int, column: int, value: object):
    cell = sheet.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str) and is_formula_like(value):
        # openpyxl takes any string starting with "=" as a formula: force text.
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell
