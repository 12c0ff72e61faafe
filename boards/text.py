"""Cleaning and limiting the texts people type."""

from __future__ import annotations

import unicodedata

from boards.errors import InvalidInput
from boards.models import NAME_LIMIT, TEXT_LIMIT

# Bidirectional overrides can make a name display as something else (CVE-2021-42574 style).
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def clean_text(value: str, *, field: str, limit: int = TEXT_LIMIT, required: bool = True) -> str:
    """Normalise to NFC, drop bidi overrides and control characters but newlines and tabs.

    Raises InvalidInput when required and empty, or over `limit` characters.
    """
    value = unicodedata.normalize("NFC", value).translate(_BIDI_CONTROLS)
    value = "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    value = value.strip()
    if required and not value:
        raise InvalidInput("The field '{field}' must not be empty", field=field)
    if len(value) > limit:
        raise InvalidInput(
            "The field '{field}' is longer than {limit} characters", field=field, limit=limit
        )
    return value


def clean_name(value: str, *, field: str, required: bool = True) -> str:
    """A one-line text: names, titles, positions."""
    return " ".join(clean_text(value, field=field, limit=NAME_LIMIT, required=required).split())
