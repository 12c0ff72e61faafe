"""boards.minutes: the verbale holds every element the meeting recorded, in Italian or
English, deterministically, with people's text shown exactly as typed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from boards import attendance, minutes, versions
from boards.access import Actor, person_in_process
from boards.exports import html_fragment
from boards.models import (
    Action,
    ActionStatus,
    Attendance,
    AttendanceStatus,
    Board,
    BoardKind,
    BreakoutGroup,
    Decision,
    DecisionMethod,
    DocumentKind,
    Item,
    ItemKind,
    LineOfWork,
    LineOfWorkItem,
    Meeting,
    MeetingDocument,
    MeetingMode,
    MeetingState,
    OrganizationKind,
    Person,
    PersonRole,
    Prompt,
    RecordingConsent,
    Representation,
    ThematicTable,
    VotingRound,
)
from tests.boards.builders import invited, meeting, organization, process, staff_actor

STARTED = datetime(2026, 11, 27, 13, 5, tzinfo=UTC)  # 14:05 in Padova
ENDED = datetime(2026, 11, 27, 15, 40, tzinfo=UTC)


@dataclass
class Record:
    meeting: Meeting
    notes: dict[str, Item]
    people: dict[str, Person]
    facilitator: Actor


def note(session, board, author, text, **fields) -> Item:
    item = Item(board_id=board.id, kind=ItemKind.note, text=text, author_id=author.id,
                organization_id=author.organization_id, **fields)
    session.add(item)
    session.flush()
    return item


@pytest.fixture
def record(session) -> Record:
    facilitator = staff_actor(session, name="Giulia Ferraro")
    percorso = process(session, facilitator, administration="Comune di Padova",
                       procedure_ref="Determina n. 123/2026", rup_name="Dott.ssa Laura Conti")
    tavolo = ThematicTable(process_id=percorso.id, title="Inclusione sociale")
    session.add(tavolo)
    session.flush()
    comune = organization(session, facilitator, percorso.id, name="Comune di Padova", kind=OrganizationKind.public)
    ponte = organization(session, facilitator, percorso.id, name="Cooperativa Il Ponte")
    aperte = organization(session, facilitator, percorso.id, name="Associazione Porte Aperte")
    assente = organization(session, facilitator, percorso.id, name="ULSS 6 Euganea", kind=OrganizationKind.health)
    incontro = meeting(session, facilitator, percorso.id, title="Bisogni del quartiere",
                       mode=MeetingMode.hybrid, location="Sala Anziani, via del Municipio 1",
                       agenda=["Apertura dei lavori", "Lavoro nei gruppi", "Varie ed eventuali"],
                       thematic_table_id=tavolo.id)
    seguente = meeting(session, facilitator, percorso.id, title="Le proposte",
                       starts_at=datetime(2026, 12, 11, 14, 30, tzinfo=UTC))
    people = {}
    for key, org in [("anna", comune), ("bruno", ponte), ("carla", aperte), ("dario", aperte), ("elena", assente)]:
        new, _ = invited(session, facilitator, percorso.id, org.id)
        new.person.name = {"anna": "Anna Rossi", "bruno": "Bruno Verdi", "carla": "Carla Neri",
                           "dario": "Dario Gialli", "elena": "Elena Blu"}[key]
        people[key] = new.person
    chair = person_in_process(session, facilitator, percorso.id)
    people["giulia"] = chair
    session.add(Representation(person_id=people["anna"].id, organization_id=comune.id, title="Assessora"))
    incontro.state, incontro.started_at, incontro.ended_at = MeetingState.ended, STARTED, ENDED
    incontro.chair_id = chair.id
    incontro.recording_url = "https://video.example.org/incontro-1"
    for key in ("anna", "bruno", "carla"):
        session.add(Attendance(meeting_id=incontro.id, person_id=people[key].id, joined_at=STARTED))
    session.add(Attendance(meeting_id=incontro.id, person_id=chair.id, joined_at=STARTED))
    session.add(Attendance(meeting_id=incontro.id, person_id=people["elena"].id, status=AttendanceStatus.excused))
    session.add(Attendance(meeting_id=incontro.id, person_id=people["dario"].id, status=AttendanceStatus.absent))
    plenary = Board(meeting_id=incontro.id, title="Plenaria", kind=BoardKind.plenary)
    group = BreakoutGroup(meeting_id=incontro.id, name="Gruppo 1", position=1)
    session.add_all([plenary, group])
    session.flush()
    group_board = Board(meeting_id=incontro.id, title="Gruppo 1", kind=BoardKind.group, group_id=group.id)
    session.add(group_board)
    session.flush()
    question = Prompt(meeting_id=incontro.id, text="Quali bisogni vedete nel quartiere?", opened_at=STARTED)
    session.add(question)
    session.flush()
    notes = {
        "plenary": note(session, plenary, people["anna"], "Servono più educatori di strada"),
        "group": note(session, group_board, people["bruno"], "Un centro diurno per anziani", prompt_id=question.id),
        "private": note(session, group_board, people["carla"], "Trasporto a chiamata", prompt_id=question.id,
                        private=True),
        "async": note(session, group_board, people["carla"], "Doposcuola nel weekend", asynchronous=True),
        "markup": note(session, plenary, people["bruno"], "# Non un titolo\n<script>x</script> | *a* [b](c)"),
    }
    deleted = note(session, plenary, people["anna"], "Testo cancellato")
    deleted.deleted_at = ENDED
    session.add(Item(board_id=plenary.id, kind=ItemKind.frame, text="Cornice", author_id=chair.id))
    session.add(VotingRound(board_id=group_board.id, budget=3, started_at=STARTED, ended_at=ENDED,
                            results=[{"item": notes["group"].id, "votes": 4, "rank": 1},
                                     {"item": notes["private"].id, "votes": 2, "rank": 2}]))
    session.add(Decision(meeting_id=incontro.id, text="Aprire un centro diurno", method=DecisionMethod.vote,
                         outcome="Approvata", votes_for=9, votes_against=1, votes_abstained=2,
                         item_ids=[notes["group"].id], recorded_by=chair.id))
    session.add(Decision(meeting_id=incontro.id, text="Mappare i servizi esistenti",
                         method=DecisionMethod.consensus, outcome="Accolta", recorded_by=chair.id))
    line = LineOfWork(process_id=percorso.id, meeting_id=incontro.id, title="Anziani soli",
                      description="Servizi di prossimità")
    session.add(line)
    session.flush()
    session.add(LineOfWorkItem(line_id=line.id, item_id=notes["group"].id))
    session.add(Action(meeting_id=incontro.id, text="Inviare la mappa dei servizi", owner_id=ponte.id,
                       due=date(2026, 12, 10), status=ActionStatus.open, created_by=chair.id))
    session.add(MeetingDocument(meeting_id=incontro.id, title="Avviso pubblico", filename="avviso.pdf",
                                media_type="application/pdf", size=10, sha256="0" * 64, storage_key="x",
                                uploaded_by=chair.id))
    session.add(RecordingConsent(meeting_id=incontro.id, person_id=people["anna"].id, consent=True, at=STARTED))
    session.add(RecordingConsent(meeting_id=incontro.id, person_id=people["bruno"].id, consent=False, at=STARTED))
    session.flush()
    assert seguente.number == incontro.number + 1
    return Record(incontro, notes, people, facilitator)


def test_the_verbale_holds_every_element_of_the_meeting(session, record):
    text = minutes.generate(session, meeting_id=record.meeting.id)
    for expected in [
        f"# Verbale dell'incontro n. {record.meeting.number}: Bisogni del quartiere",
        "- **Amministrazione:** Comune di Padova", "- **Procedimento:** Determina n. 123/2026",
        "Dott.ssa Laura Conti", "- **Tavolo tematico:** Inclusione sociale", "- **Data:** 27/11/2026",
        "- **Modalità:** mista (in presenza e a distanza)", "- **Luogo:** Sala Anziani, via del Municipio 1",
        "- **Inizio:** 14:05", "- **Fine:** 16:40", "- **Presiede:** Giulia Ferraro",
        "## Presenze", "| Comune di Padova | ente pubblico | presente | Anna Rossi (Assessora): presente |",
        "| ULSS 6 Euganea | ente sanitario | assente giustificato | Elena Blu: assente giustificato |",
        "Carla Neri: presente; Dario Gialli: assente",
        "## Ordine del giorno", "1. Apertura dei lavori", "3. Varie ed eventuali",
        "## Domande guida", "1. Quali bisogni vedete nel quartiere?",
        "### Plenaria", "### Gruppo: Gruppo 1", "#### Domanda: Quali bisogni vedete nel quartiere?",
        f"- [C{record.notes['group'].id}](#c{record.notes['group'].id}) **Cooperativa Il Ponte** (Bruno Verdi): "
        "Un centro diurno per anziani",
        "Doposcuola nel weekend *(asincrono)*",
        "### Gruppo: Gruppo 1: votazione a punti, 3 voti a testa",
        f"| 1 | [C{record.notes['group'].id}](#c{record.notes['group'].id}) Un centro diurno per anziani | 4 |",
        "1. **Aprire un centro diurno**. Modalità: a votazione (favorevoli 9 · contrari 1 · astenuti 2). "
        "Esito: Approvata.",
        "2. **Mappare i servizi esistenti**. Modalità: per consenso. Esito: Accolta.",
        "1. **Anziani soli**: Servizi di prossimità", "- Avviso pubblico (avviso.pdf)",
        "[https://video.example.org/incontro-1](https://video.example.org/incontro-1)",
        "Anna Rossi (Comune di Padova): acconsente", "Bruno Verdi (Cooperativa Il Ponte): non acconsente",
        "| Inviare la mappa dei servizi | Cooperativa Il Ponte | 10/12/2026 | aperta |",
        f"n. {record.meeting.number + 1}, Le proposte: 11/12/2026 alle 15:30",
        "## Allegato: testo integrale dei contributi",
        f"- **C{record.notes['private'].id}** **Associazione Porte Aperte** (Carla Neri), "
        "*Gruppo: Gruppo 1; Domanda: Quali bisogni vedete nel quartiere?*: Trasporto a chiamata",
    ]:
        assert expected in text, expected
    assert "Testo cancellato" not in text and "Cornice" not in text
    # Everyone's minute-taker when none is named: the process has no secretary here.
    assert "- **Verbalizzante:** non indicato" in text


def test_people_s_text_is_shown_as_typed_never_as_markup(session, record):
    html = html_fragment(minutes.generate(session, meeting_id=record.meeting.id))
    assert "# Non un titolo<br" in html
    assert "&lt;script&gt;x&lt;/script&gt; | *a* [b](c)" in html
    assert "<h1>Non un titolo" not in html and "<script>" not in html and "<em>a</em>" not in html
    assert f'id="c{record.notes["markup"].id}"' in html


def test_english_and_deterministic(session, record):
    first = minutes.generate(session, meeting_id=record.meeting.id, lang="en")
    assert first == minutes.generate(session, meeting_id=record.meeting.id, lang="en")
    for expected in ["# Minutes of meeting no.", "## Attendance", "excused", "## Guiding questions",
                     "by vote (for 9 · against 1 · abstained 2)", "## Annex: full text of the contributions"]:
        assert expected in first, expected


def test_the_minute_taker_is_the_named_one_else_the_process_secretary(session, record):
    secretary = Person(process_id=record.meeting.process_id, name="Marco Verbalizzante", role=PersonRole.secretary)
    session.add(secretary)
    session.flush()
    assert "- **Verbalizzante:** Marco Verbalizzante" in minutes.generate(session, meeting_id=record.meeting.id)
    record.meeting.minute_taker_id = record.people["giulia"].id
    assert "- **Verbalizzante:** Giulia Ferraro" in minutes.generate(session, meeting_id=record.meeting.id)


def test_a_meeting_with_nothing_recorded_says_so(session):
    facilitator = staff_actor(session)
    percorso = process(session, facilitator)
    empty = meeting(session, facilitator, percorso.id, agenda=[])
    text = minutes.generate(session, meeting_id=empty.id)
    for expected in ["- **Inizio:** non iniziato", "Non è stato indicato un ordine del giorno.",
                     "Non sono stati registrati contributi.", "Non si sono tenute votazioni.",
                     "Non sono state prese decisioni.", "L'incontro non è stato registrato.",
                     "Non sono state assegnate azioni.", "Il prossimo incontro non è ancora stato fissato."]:
        assert expected in text, expected
    assert "Allegato" not in text


def test_letterhead_and_file_name(session, record):
    generated = minutes.generate(session, meeting_id=record.meeting.id)
    draft = versions.draft_for(session, kind=DocumentKind.minutes, process_id=record.meeting.process_id,
                               meeting_id=record.meeting.id, generated=generated)
    head = minutes.letterhead(session, document=draft)
    assert (head.administration, head.status, head.lang) == ("Comune di Padova", "Bozza non approvata", "it")
    assert head.title == f"Verbale dell'incontro n. {record.meeting.number}: Bisogni del quartiere"
    approved = versions.approve(session, actor=record.facilitator, draft=draft)
    stamp = minutes.letterhead(session, document=approved, lang="en")
    assert stamp.status.startswith("Version 1 approved on ") and stamp.status.endswith(approved.sha256)
    assert stamp.title.startswith("Minutes of meeting no.") and stamp.lang == "en"
    assert minutes.filename(record.meeting, "pdf") == f"verbale-{record.meeting.number}-2026-11-27.pdf"


def test_proxies_and_people_present_in_the_room(session, record):
    meeting, people = record.meeting, record.people
    attendance.correct_attendance(session, actor=record.facilitator, meeting_id=meeting.id,
                                  person_id=people["carla"].id, status=AttendanceStatus.proxy,
                                  proxy_for=people["dario"].id)
    attendance.add_in_room(session, actor=record.facilitator, meeting_id=meeting.id, name="Ugo Sala",
                           organization_id=people["anna"].organization_id, title="Dirigente")
    text = minutes.generate(session, meeting_id=meeting.id)
    assert ("| Associazione Porte Aperte | ente del Terzo settore | presente | "
            "Carla Neri: presente, con delega di Dario Gialli; Dario Gialli: assente, delega a Carla Neri |") in text
    assert "Anna Rossi (Assessora): presente; Ugo Sala (Dirigente): presente in sala |" in text
