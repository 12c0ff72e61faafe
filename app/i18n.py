"""Languages: Italian by default, English second, from Babel catalogs.

Messages are English msgids; `app/translations/<lang>/LC_MESSAGES/messages.po` holds the
translations, read at start-up (no compile step). `scripts/i18n` extracts and updates them.
"""

from __future__ import annotations

from contextvars import ContextVar
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from boards.errors import DomainError

LANGUAGES = ("it", "en")
DEFAULT_LANGUAGE = "it"
LANGUAGE_NAMES = {"it": "Italiano", "en": "English"}
CATALOGS = Path(__file__).resolve().parent / "translations"

current_language: ContextVar[str] = ContextVar("current_language", default=DEFAULT_LANGUAGE)


@cache
def translations(lang: str) -> NullTranslations:
    path = CATALOGS / lang / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(fp=compiled)


def gettext(message: str, **params: object) -> str:
    text = translations(current_language.get()).gettext(message)
    return text.format(**params) if params else text


def ngettext(singular: str, plural: str, n: int, **params: object) -> str:
    text = translations(current_language.get()).ngettext(singular, plural, n)
    return text.format(n=n, **params)


_ = gettext


def error_text(error: DomainError) -> str:
    return gettext(error.message, **error.params)


def negotiate(accept_language: str | None, chosen: str | None = None) -> str:
    """The remembered choice, else the best of Accept-Language, else Italian."""
    if chosen in LANGUAGES:
        return chosen
    ranked: list[tuple[float, str]] = []
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((quality, tag.strip().lower().split("-")[0]))
    for _quality, tag in sorted(ranked, key=lambda pair: -pair[0]):
        if tag in LANGUAGES:
            return tag
    return DEFAULT_LANGUAGE
