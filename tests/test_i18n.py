"""The translation catalogs are complete and current.

The messages are extracted here, in-process, exactly as `scripts/i18n` extracts them (same
mapping file, same keywords, including the domain error classes). The test fails when a
message has no Italian translation, when a catalog lacks a message of the code or keeps one
the code no longer has (run `scripts/i18n`), or when a translation drops a placeholder.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = ROOT / "app" / "translations"
PLACEHOLDERS = re.compile(r"\{(\w*)[^{}]*\}|%\((\w+)\)[sd]")


def i18n_script():
    """scripts/i18n as a module (it has no .py suffix), for its keywords."""
    loader = importlib.machinery.SourceFileLoader("tavolo_scripts_i18n", str(ROOT / "scripts" / "i18n"))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(module)
    return module


@cache
def extracted() -> dict[str, str | tuple[str, ...]]:
    """Every message of the code by msgid, with where it was found."""
    script = i18n_script()
    with (ROOT / "babel.cfg").open() as mapping:
        method_map, options_map = parse_mapping_cfg(mapping)
    messages: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        ROOT, method_map, options_map, keywords=parse_keywords(script.KEYWORDS)
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            messages.setdefault(msgid, f"{filename}:{lineno}")
    return messages


def catalog(lang: str):
    with (CATALOGS / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=lang)


def msgid_of(message) -> str:
    return message.id[0] if isinstance(message.id, tuple) else message.id


def placeholders(text: str) -> set[str]:
    return {brace or percent for brace, percent in PLACEHOLDERS.findall(text)}


def test_extraction_finds_pages_and_domain_errors():
    messages = extracted()
    assert "Skip to content" in messages  # a template
    assert "Only the staff of this process may do this" in messages  # raise NotAllowed(...)
    assert "Wrong email or password" in messages  # raise NotAuthenticated(...)


@pytest.mark.parametrize("lang", ["it", "en"])
def test_catalog_is_current(lang):
    messages = extracted()
    known = {msgid_of(m) for m in catalog(lang) if m.id}
    missing = sorted(set(messages) - known)
    stale = sorted(known - set(messages))
    assert not missing, (
        f"{lang}: {len(missing)} message(s) not in the catalog, run scripts/i18n:\n"
        + "\n".join(f"  {messages[m]}: {m!r}" for m in missing)
    )
    assert not stale, f"{lang}: message(s) the code no longer has, run scripts/i18n: {stale}"


def test_every_message_has_an_italian_translation():
    untranslated = []
    for message in catalog("it"):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(s.strip() for s in strings):
            untranslated.append(msgid_of(message))
    assert not untranslated, (
        f"{len(untranslated)} message(s) without an Italian translation in "
        f"app/translations/it/LC_MESSAGES/messages.po:\n" + "\n".join(f"  {m!r}" for m in untranslated)
    )


@pytest.mark.parametrize("lang", ["it", "en"])
def test_translations_keep_their_placeholders(lang):
    wrong = []
    for message in catalog(lang):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set().union(*(placeholders(i) for i in ids))
        for string in strings:
            if string and placeholders(string) != expected:
                wrong.append((message.id, string))
    assert not wrong, "translations whose placeholders differ from the msgid's:\n" + "\n".join(
        f"  {i!r} -> {s!r}" for i, s in wrong
    )
