"""boards.text: cleaning what people type (bidi overrides, control characters, limits)."""

from __future__ import annotations

import pytest

from boards.errors import InvalidInput
from boards.models import NAME_LIMIT, TEXT_LIMIT
from boards.text import clean_name, clean_text

# Every explicit embedding, override and isolate (the "Trojan Source" characters).
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


@pytest.mark.parametrize("control", list(BIDI))
def test_bidirectional_controls_are_removed(control):
    assert clean_text(f"abc{control}def", field="text") == "abcdef"


def test_a_spoofed_name_reads_as_typed():
    # "Comune di Padova" shown reversed after the override: the override is dropped.
    assert clean_name("Comune \u202eavodaP id", field="name") == "Comune avodaP id"


def test_control_characters_go_but_newlines_and_tabs_stay():
    assert clean_text("riga\x00 uno\r\n\triga\x07 due\x1b", field="text") == "riga uno\n\triga due"


def test_text_is_normalised_to_nfc_and_trimmed():
    assert clean_text("  perche\u0301  ", field="text") == "perch\u00e9"


def test_the_limit_is_2000_characters_after_cleaning():
    assert TEXT_LIMIT == 2000
    assert clean_text("x" * TEXT_LIMIT, field="text") == "x" * TEXT_LIMIT
    assert clean_text("x" * TEXT_LIMIT + BIDI, field="text") == "x" * TEXT_LIMIT
    with pytest.raises(InvalidInput, match="'text' is longer than 2000 characters"):
        clean_text("x" * (TEXT_LIMIT + 1), field="text")
    with pytest.raises(InvalidInput, match="longer than 10"):
        clean_text("x" * 11, field="note", limit=10)


def test_required_texts_must_keep_something():
    for empty in ("", "   ", BIDI, "\x00\x01", "\n\t"):
        with pytest.raises(InvalidInput, match="'note' must not be empty"):
            clean_text(empty, field="note")
        assert clean_text(empty, field="note", required=False) == ""


def test_names_are_one_line_with_single_spaces():
    assert clean_name("  Cooperativa\n sociale\t  Il   Ponte ", field="name") == (
        "Cooperativa sociale Il Ponte")
    assert clean_name("x" * NAME_LIMIT, field="name") == "x" * NAME_LIMIT
    with pytest.raises(InvalidInput, match="longer than 200"):
        clean_name("x" * (NAME_LIMIT + 1), field="name")
    assert clean_name("", field="position", required=False) == ""


def test_the_error_names_the_field():
    with pytest.raises(InvalidInput) as error:
        clean_text("", field="organization_name")
    assert error.value.params == {"field": "organization_name"}
    assert str(error.value) == "The field 'organization_name' must not be empty"
