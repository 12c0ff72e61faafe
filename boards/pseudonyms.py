"""Pseudonyms for the public record: organisations are named, people are not (GDPR and the
Garante's guidance on publishing administrative acts).

Each person of a process gets a stable pseudonym from the order they joined it
("Partecipante A", "Partecipante B", ... "Partecipante AA"), so the same person has the same
pseudonym in every public document of the process. Their names are replaced wherever they
appear in the Markdown, also in the free text of contributions: the full name, and each part
of it (a first name alone, a surname alone) when only one person of the process has it; a
part that several people share becomes "omissis", as does the RUP's name.
Organisation names are kept even when they contain a person's name.
A person erased on request (`boards.personal_data`) already carries their pseudonym as name:
only that full name is replaced (by the pseudonym in the document's language), never its
parts, or every "partecipante" of the text would become someone.
"""

from __future__ import annotations

import re
from collections import defaultdict

from sqlmodel import Session, select

from boards import minutes
from boards.minutes import escape_line
from boards.models import Organization, Person, Process

# Parts of names too short or too common to stand for one person ("De", "La", "del").
_PARTICLES = {"de", "del", "della", "delle", "dei", "degli", "di", "da", "dal", "dalla", "la", "le", "lo",
              "van", "von", "der", "den", "ten", "mac", "mc", "san", "santa"}
_SHORTEST_PART = 3
# The documents' own words ("Fine", the end time's label, is also a surname): a name part
# that is one of them is not replaced alone, or the verbale's headings would turn to omissis.
# The full name is always replaced.
_DOCUMENT_WORDS = {word.lower() for phrase in (*minutes._ITALIAN, *minutes._ITALIAN.values())
                   for word in re.findall(r"\w+", phrase)}
WORDS = {"it": ("Partecipante", "omissis"), "en": ("Participant", "omissis")}


def letters(index: int) -> str:
    """0 → "A", 25 → "Z", 26 → "AA": spreadsheet columns, never running out."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


def pseudonyms(session: Session, *, process_id: int, lang: str = "it") -> dict[int, str]:
    """Person id → pseudonym, for everyone who ever took part in the process."""
    word = WORDS.get(lang, WORDS["it"])[0]
    people = session.exec(select(Person.id).where(Person.process_id == process_id).order_by(Person.id)).all()
    return {person_id: f"{word} {letters(index)}" for index, person_id in enumerate(people)}


def forms(name: str) -> set[str]:
    """A name as typed and as the documents write it (Markdown escapes)."""
    return {name, escape_line(name)}


def name_parts(name: str) -> list[str]:
    """The parts of a name that may stand for its person alone: a first name, a surname."""
    return [part for part in re.split(r"[\s-]+", name)
            if len(part) >= _SHORTEST_PART and part.lower() not in _PARTICLES | _DOCUMENT_WORDS]


def pattern(words: list[str]) -> re.Pattern[str]:
    """Any of `words` as a whole word, ignoring case, the longest first."""
    alternatives = sorted(words, key=lambda word: (-len(word), word))
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(word) for word in alternatives) + r")(?!\w)",
                      re.IGNORECASE)


def substitute(text: str, replacements: dict[str, str], *, kept: list[str], default: str) -> str:
    """`text` with each word of `replacements` (lower-case keys) replaced, the `kept` names
    (organisations) left whole even when they contain one of those words."""
    if not replacements:
        return text
    held: list[str] = []

    def keep(match: re.Match[str]) -> str:
        held.append(match.group(0))
        return f"\x00{len(held) - 1}\x00"

    kept_forms = sorted({form for name in kept for form in forms(name) if name.strip()})
    text = pattern(kept_forms).sub(keep, text) if kept_forms else text
    text = pattern(list(replacements)).sub(lambda match: replacements.get(match.group(0).lower(), default), text)
    return re.sub(r"\x00(\d+)\x00", lambda match: held[int(match.group(1))], text)


def pseudonymise(session: Session, *, process_id: int, markdown: str, lang: str = "it") -> str:
    """Every person's name of the process replaced by a stable pseudonym; organisations kept.

    The RUP's name, held by the process rather than a person, becomes "omissis".
    """
    omitted = WORDS.get(lang, WORDS["it"])[1]
    names = pseudonyms(session, process_id=process_id, lang=lang)
    people = session.exec(select(Person).where(Person.process_id == process_id).order_by(Person.id)).all()
    replacements: dict[str, str] = {}
    parts: dict[str, set[str]] = defaultdict(set)
    for person in people:
        name = " ".join(person.name.split())
        if not name:
            continue
        for form in forms(name):
            replacements.setdefault(form.lower(), names[person.id])
        if person.erased_at is not None:
            continue
        for part in name_parts(name):
            for form in forms(part):
                parts[form.lower()].add(names[person.id])
    for part, owners in parts.items():
        if part not in replacements:
            # A part that two people share names neither of them for sure.
            replacements[part] = owners.pop() if len(owners) == 1 else omitted
    process = session.get(Process, process_id)
    if process is not None and process.rup_name.strip():
        for form in forms(" ".join(process.rup_name.split())):
            replacements.setdefault(form.lower(), omitted)
    # Organisation names are set aside, so that "Fondazione Anna Rossi" stays whole.
    organizations = session.exec(select(Organization.name).where(Organization.process_id == process_id)).all()
    return substitute(markdown, replacements, kept=list(organizations), default=omitted)
