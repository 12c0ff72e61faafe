"""boards.pseudonyms: stable pseudonyms for people, names replaced also in free text,
organisations kept whole."""

from __future__ import annotations

import pytest

from boards import minutes, pseudonyms
from boards.models import Person, PersonRole
from tests.boards.builders import organization, process, staff_actor
from tests.boards.test_minutes import record  # noqa: F401 - the fixture


def test_letters_run_like_spreadsheet_columns():
    assert [pseudonyms.letters(i) for i in (0, 1, 25, 26, 27, 701, 702)] == ["A", "B", "Z", "AA", "AB", "ZZ", "AAA"]


@pytest.fixture
def people(session):
    facilitator = staff_actor(session, name="Giulia Ferraro")
    percorso = process(session, facilitator, rup_name="Laura Conti")
    organization(session, facilitator, percorso.id, name="Fondazione Anna Rossi")
    rows = [Person(process_id=percorso.id, name=name, role=PersonRole.participant)
            for name in ("Anna Rossi", "Marco De Luca", "Marco Bianchi", "Zoë D'Amico")]
    session.add_all(rows)
    session.flush()
    return percorso, rows


def test_names_become_stable_pseudonyms_and_organisations_stay(session, people):
    percorso, (anna, marco, bianchi, zoe) = people
    names = pseudonyms.pseudonyms(session, process_id=percorso.id)
    # The facilitator joined first, as the process was made.
    assert [names[p.id] for p in (anna, marco, bianchi, zoe)] == [
        "Partecipante B", "Partecipante C", "Partecipante D", "Partecipante E"]
    text = ("Anna Rossi (Fondazione Anna Rossi) risponde a marco de luca: come dice Rossi, "
            "e come dicono Marco e Bianchi, Zoë D'Amico e D'Amico. RUP: Laura Conti. Annabella resta.")
    public = pseudonyms.pseudonymise(session, process_id=percorso.id, markdown=text)
    assert public == (
        "Partecipante B (Fondazione Anna Rossi) risponde a Partecipante C: come dice Partecipante B, "
        "e come dicono omissis e Partecipante D, Partecipante E e Partecipante E. RUP: omissis. Annabella resta.")
    assert pseudonyms.pseudonymise(session, process_id=percorso.id, markdown=text) == public
    english = pseudonyms.pseudonymise(session, process_id=percorso.id, markdown="Anna Rossi", lang="en")
    assert english == "Participant B"


def test_a_name_part_that_is_one_of_the_documents_words_is_left_alone(session, people):
    percorso, _ = people
    session.add(Person(process_id=percorso.id, name="Serena Fine", role=PersonRole.participant))
    session.flush()
    text = "- **Inizio:** 09:30\n- **Fine:** 12:15\n\nSerena Fine propone; Serena insiste."
    assert pseudonyms.pseudonymise(session, process_id=percorso.id, markdown=text) == (
        "- **Inizio:** 09:30\n- **Fine:** 12:15\n\nPartecipante F propone; Partecipante F insiste.")


def test_the_public_verbale_names_no_one(session, record):  # noqa: F811 - the fixture
    text = minutes.generate(session, meeting_id=record.meeting.id)
    public = pseudonyms.pseudonymise(session, process_id=record.meeting.process_id, markdown=text)
    for person in record.people.values():
        assert person.name in text
        for part in person.name.split():
            assert part not in public, part
    for body in ("Comune di Padova", "Cooperativa Il Ponte", "Associazione Porte Aperte", "ULSS 6 Euganea"):
        assert body in public
    assert "Laura Conti" not in public
    assert "Trasporto a chiamata" in public and "Partecipante" in public
