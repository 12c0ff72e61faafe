"""The synthesis document in the domain: statements and their sources, the Markdown with its
citations and annex, the pledges part, and versions frozen by approval."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
import html5lib
from sqlmodel import Session, select

from boards import pledges, synthesis
from boards.access import Actor
from boards.clock import utcnow
from boards.errors import Conflict, InvalidInput, NotAllowed, NotFound
from boards.exports import html_fragment
from boards.minutes import escape_line
from boards.models import (
    Action,
    ActionStatus,
    AuditEntry,
    Board,
    BoardKind,
    BreakoutGroup,
    Decision,
    DecisionMethod,
    Item,
    ItemKind,
    LineOfWork,
    LineOfWorkItem,
    Meeting,
    Organization,
    OrganizationKind,
    PledgeKind,
    Process,
)
from tests.boards import builders


@dataclass
class Record:
    facilitator: Actor
    participant: Actor
    process: Process
    meetings: list[Meeting]
    comune: Organization
    coop: Organization
    line: LineOfWork
    group: BreakoutGroup
    notes: dict[str, Item]


def note(session: Session, board: Board, author, organization: Organization, text: str, **fields) -> Item:
    item = Item(board_id=board.id, kind=fields.pop("kind", ItemKind.note), text=text, author_id=author.id,
                organization_id=organization.id, **fields)
    session.add(item)
    session.flush()
    return item


def build_record(session: Session) -> Record:
    """Two meetings: the first with a plenary note and a breakout group whose frame became a
    line of work; the second with a note between meetings, a decision and actions."""
    facilitator = builders.staff_actor(session)
    process = builders.process(session, facilitator, administration="Comune di Crema")
    comune = builders.organization(session, facilitator, process.id, kind=OrganizationKind.public,
                                   name="Comune di Crema")
    coop = builders.organization(session, facilitator, process.id, name="Cooperativa Il Ponte")
    _, participant = builders.invited(session, facilitator, process.id, coop.id)
    first = builders.meeting(session, facilitator, process.id, starts_at=datetime(2026, 3, 10, 15, tzinfo=UTC))
    second = builders.meeting(session, facilitator, process.id, starts_at=datetime(2026, 4, 14, 15, tzinfo=UTC))
    plenary = session.get(Board, first.plenary_board_id)
    group = BreakoutGroup(meeting_id=first.id, name="Gruppo Abitare", position=1)
    session.add(group)
    session.flush()
    group_board = Board(meeting_id=first.id, title="Gruppo Abitare", kind=BoardKind.group, group_id=group.id)
    session.add(group_board)
    session.flush()
    author = participant.person
    frame = note(session, group_board, author, coop, "Accoglienza", kind=ItemKind.frame)
    notes = {
        "dormitorio": note(session, group_board, author, coop, "Un dormitorio aperto anche di giorno",
                           frame_id=frame.id),
        "mensa": note(session, group_board, author, coop, "Una mensa serale *gratuita* [per tutti](http://x.example)",
                      frame_id=frame.id),
        "plenaria": note(session, plenary, author, comune, "Mappare i bisogni con i servizi sociali"),
        "asincrono": note(session, session.get(Board, second.plenary_board_id), author, coop,
                          "1. Coinvolgere i medici di base", asynchronous=True),
        "cancellato": note(session, plenary, author, coop, "Nota cancellata", deleted_at=utcnow()),
    }
    line = LineOfWork(process_id=process.id, meeting_id=first.id, frame_id=frame.id, title="Accoglienza notturna",
                      description="Posti letto e servizi per chi dorme in strada.")
    session.add(line)
    session.flush()
    session.add_all([LineOfWorkItem(line_id=line.id, item_id=notes[k].id) for k in ("dormitorio", "mensa")])
    session.add(Decision(meeting_id=second.id, text="Aprire il dormitorio a dicembre", method=DecisionMethod.vote,
                         outcome="Approvata", votes_for=9, votes_against=1, votes_abstained=2,
                         item_ids=[notes["plenaria"].id, frame.id], recorded_by=author.id))
    session.add(Action(meeting_id=second.id, text="Preparare il regolamento", owner_id=coop.id, due=date(2026, 5, 31),
                       created_by=author.id))
    session.add(Action(meeting_id=second.id, text="Azione conclusa", owner_id=comune.id,
                       status=ActionStatus.done, created_by=author.id))
    session.flush()
    return Record(facilitator, participant, process, [first, second], comune, coop, line, group, notes)


@pytest.fixture
def record(session) -> Record:
    return build_record(session)


def test_statements_cite_contributions_of_the_process_only(session, record):
    notes = record.notes
    statement = synthesis.add_statement(
        session, actor=record.facilitator, process_id=record.process.id, line_id=record.line.id,
        text="Serve un dormitorio aperto di giorno", item_ids=[notes["mensa"].id, notes["dormitorio"].id])
    assert synthesis.sources_of(session, [statement.id]) == {
        statement.id: sorted([notes["dormitorio"].id, notes["mensa"].id])}
    # A line's statement may cite any contribution of the process, of any meeting.
    synthesis.update_statement(session, actor=record.facilitator, statement_id=statement.id,
                               item_ids=[notes["asincrono"].id])
    assert synthesis.sources_of(session, [statement.id])[statement.id] == [notes["asincrono"].id]

    other = build_record(session)
    frame = notes["dormitorio"].frame_id
    for wrong in (other.notes["mensa"].id, frame, notes["cancellato"].id, 2**40, "12"):
        with pytest.raises(InvalidInput, match="not a contribution of this process"):
            synthesis.update_statement(session, actor=record.facilitator, statement_id=statement.id, item_ids=[wrong])
    assert synthesis.sources_of(session, [statement.id])[statement.id] == [notes["asincrono"].id]
    with pytest.raises(InvalidInput, match="Line of work"):
        synthesis.add_statement(session, actor=record.facilitator, process_id=record.process.id,
                                line_id=other.line.id, text="Altrove")
    with pytest.raises(InvalidInput, match="must not be empty"):
        synthesis.add_statement(session, actor=record.facilitator, process_id=record.process.id, text="  ")


def test_only_staff_edit_statements(session, record):
    with pytest.raises(NotAllowed):
        synthesis.add_statement(session, actor=record.participant, process_id=record.process.id, text="Io")
    statement = synthesis.add_statement(session, actor=record.facilitator, process_id=record.process.id, text="Noi")
    for change in (
        lambda: synthesis.update_statement(session, actor=record.participant, statement_id=statement.id, text="Io"),
        lambda: synthesis.move_statement(session, actor=record.participant, statement_id=statement.id, position=0),
        lambda: synthesis.remove_statement(session, actor=record.participant, statement_id=statement.id),
        lambda: synthesis.describe_line(session, actor=record.participant, line_id=record.line.id, description="x"),
        lambda: synthesis.suggest(session, actor=record.participant, process_id=record.process.id),
    ):
        with pytest.raises(NotAllowed):
            change()
    assert statement.text == "Noi" and statement.removed_at is None


def test_statements_are_reordered_and_removed_within_their_line(session, record):
    add = lambda text: synthesis.add_statement(session, actor=record.facilitator, process_id=record.process.id,  # noqa: E731
                                               line_id=record.line.id, text=text)
    first, second, third = add("Uno"), add("Due"), add("Tre")
    general = synthesis.add_statement(session, actor=record.facilitator, process_id=record.process.id, text="Generale")
    assert (first.position, second.position, third.position, general.position) == (0, 1, 2, 0)
    synthesis.move_statement(session, actor=record.facilitator, statement_id=third.id, position=0)
    in_line = [s.text for s in synthesis.statements_of(session, record.process.id) if s.line_id == record.line.id]
    assert in_line == ["Tre", "Uno", "Due"]
    synthesis.move_statement(session, actor=record.facilitator, statement_id=third.id, position=99)
    synthesis.remove_statement(session, actor=record.facilitator, statement_id=first.id)
    remaining = synthesis.statements_of(session, record.process.id)
    assert [s.text for s in remaining if s.line_id == record.line.id] == ["Due", "Tre"]
    assert [s.text for s in remaining if s.line_id is None] == ["Generale"]
    with pytest.raises(NotFound):
        synthesis.update_statement(session, actor=record.facilitator, statement_id=first.id, text="Di nuovo")
    with pytest.raises(InvalidInput):
        synthesis.move_statement(session, actor=record.facilitator, statement_id=second.id, position=-1)
    actions = session.exec(select(AuditEntry.action).where(AuditEntry.process_id == record.process.id,
                                                           AuditEntry.action.like("statement.%"))).all()
    assert sorted(set(actions)) == ["statement.add", "statement.move", "statement.remove"]


def test_suggestions_put_the_lines_own_notes_first_and_filter(session, record):
    found = synthesis.suggest(session, actor=record.facilitator, process_id=record.process.id, line_id=record.line.id)
    assert [c.id for c in found[:2]] == [record.notes["dormitorio"].id, record.notes["mensa"].id]
    assert record.notes["cancellato"].id not in {c.id for c in found}
    assert {c.id for c in found} == {n.id for k, n in record.notes.items() if k != "cancellato"}
    by_org = synthesis.suggest(session, actor=record.facilitator, process_id=record.process.id, query="comune DI")
    assert [c.id for c in by_org] == [record.notes["plenaria"].id]
    by_group = synthesis.suggest(session, actor=record.facilitator, process_id=record.process.id, query="abitare")
    assert {c.group for c in by_group} == {"Gruppo Abitare"} and len(by_group) == 2


def parse(html: str):
    return html5lib.parse(html, namespaceHTMLElements=False)


def text_of(element) -> str:
    return " ".join("".join(element.itertext()).split())


def annex_entries(html: str) -> dict[str, str]:
    """The elements that citations point to (`id="c12"`), with their text."""
    return {e.get("id"): text_of(e) for e in parse(html).iter() if re.fullmatch(r"c\d+", e.get("id") or "")}


def citations(html: str) -> list[str]:
    return [a.get("href").removeprefix("#") for a in parse(html).iter("a") if (a.get("href") or "").startswith("#c")]


def test_every_citation_resolves_to_its_contribution_in_the_annex(session, record):
    notes = record.notes
    synthesis.add_statement(session, actor=record.facilitator, process_id=record.process.id, line_id=record.line.id,
                            text="Un dormitorio *diurno* e una mensa", item_ids=[notes["dormitorio"].id,
                                                                               notes["mensa"].id])
    synthesis.add_statement(session, actor=record.facilitator, process_id=record.process.id,
                            text="- Coinvolgere la sanità territoriale", item_ids=[notes["asincrono"].id])
    markdown = synthesis.generate(session, process_id=record.process.id)
    assert markdown.endswith("\n") and not markdown.endswith("\n\n")
    html = html_fragment(markdown)
    tree = parse(html)
    targets = annex_entries(html)
    links = citations(html)
    cited = {notes[k].id for k in ("dormitorio", "mensa", "asincrono", "plenaria")}  # plenaria: the decision
    assert set(links) == {f"c{i}" for i in cited} == set(targets)
    for key in ("dormitorio", "mensa", "asincrono", "plenaria"):
        entry = targets[f"c{notes[key].id}"]
        assert entry.startswith(f"C{notes[key].id} {' '.join(notes[key].text.split())} — ")
    # Where each came from: meeting number and date, group (or plenary), organisation.
    assert targets[f"c{notes['mensa'].id}"].endswith("incontro n. 1 del 10/03/2026 · Gruppo Abitare · Cooperativa Il Ponte")
    assert targets[f"c{notes['plenaria'].id}"].endswith("incontro n. 1 del 10/03/2026 · plenaria · Comune di Crema")
    assert targets[f"c{notes['asincrono'].id}"].endswith("tra un incontro e l'altro")
    # Typed text stays text: no emphasis, link, list or heading made from it.
    assert [a for a in tree.iter("a") if a.get("href") == "http://x.example"] == []
    assert not [em for em in tree.iter("em") if em.text in ("gratuita", "diurno")]
    assert list(tree.iter("ol")) == []
    statements = [text_of(li) for li in tree.iter("li") if "Coinvolgere la sanità" in text_of(li)]
    assert statements[0].startswith("- Coinvolgere la sanità territoriale")
    assert "### 1. Accoglienza notturna" in markdown and "Posti letto e servizi" in markdown


def test_the_document_lists_decisions_open_actions_and_lines(session, record):
    markdown = synthesis.generate(session, process_id=record.process.id)
    assert "# Documento istruttore di sintesi" in markdown
    assert "- **Amministrazione procedente:** Comune di Crema" in markdown
    assert "Aprire il dormitorio a dicembre — Approvata, a votazione (9 favorevoli, 1 contrari, 2 astenuti)" in markdown
    assert "| Preparare il regolamento | Cooperativa Il Ponte | 31/05/2026 | 2 |" in markdown
    assert "Azione conclusa" not in markdown
    assert "*Nessuna affermazione ancora.*" in markdown
    english = synthesis.generate(session, process_id=record.process.id, lang="en")
    assert "# Synthesis document" in english and "## Open actions" in english


def test_the_pledges_part_shows_totals_and_cremas_shares(session, record):
    def confirmed(org, kind, value):
        made = pledges.create_pledge(session, actor=record.facilitator, process_id=record.process.id,
                                     organization_id=org.id, kind=kind, description="Impegno", quantity="1",
                                     unit="anno", value_eur=value)
        pledges.confirm_pledge(session, actor=record.facilitator, pledge_id=made.id)

    confirmed(record.comune, PledgeKind.money, "1410215.82")
    confirmed(record.coop, PledgeKind.staff_hours, "397753.18")
    pledges.create_pledge(session, actor=record.participant, process_id=record.process.id,
                          organization_id=record.coop.id, kind=PledgeKind.volunteers, description="Volontari",
                          quantity="12", unit="persone", value_eur="0")
    markdown = synthesis.generate(session, process_id=record.process.id)
    assert "| Parte pubblica (enti pubblici e sanitari) | 1.410.215,82 | 78,00 % |" in markdown
    assert "| Partner (Terzo settore e altri enti) | 397.753,18 | 22,00 % |" in markdown
    assert "| **Totale** | **1.807.969,00** | **100,00 %** |" in markdown
    pending = markdown.split("### Impegni in attesa di conferma (esclusi dai totali)")[1]
    assert "| Cooperativa Il Ponte | Volontari | Volontari | 12 persone | 0,00 |" in pending
    english = synthesis.generate(session, process_id=record.process.id, lang="en")
    assert "| Public side (public and health bodies) | 1,410,215.82 | 78.00% |" in english


def test_approval_freezes_versions_and_members_read_only_approved_ones(session, record):
    with pytest.raises(NotAllowed, match="no approved version"):
        synthesis.document(session, actor=record.participant, process_id=record.process.id)
    synthesis.add_statement(session, actor=record.facilitator, process_id=record.process.id, text="Prima stesura")
    first = synthesis.approve(session, actor=record.facilitator, process_id=record.process.id)
    assert first.version == 1
    assert first.sha256 == hashlib.sha256(first.markdown.encode("utf-8")).hexdigest()
    with pytest.raises(Conflict, match="Nothing has changed since version 1"):
        synthesis.approve(session, actor=record.facilitator, process_id=record.process.id)
    with pytest.raises(NotAllowed):
        synthesis.approve(session, actor=record.participant, process_id=record.process.id)
    frozen = first.markdown
    synthesis.add_statement(session, actor=record.facilitator, process_id=record.process.id, text="Correzione")
    draft = synthesis.document(session, actor=record.facilitator, process_id=record.process.id)
    assert draft.version == 0 and "Correzione" in draft.markdown
    assert synthesis.document(session, actor=record.participant, process_id=record.process.id).version == 1
    second = synthesis.approve(session, actor=record.facilitator, process_id=record.process.id)
    assert second.version == 2 and "Correzione" in second.markdown
    again = synthesis.document(session, actor=record.participant, process_id=record.process.id, version=1)
    assert again.markdown == frozen and hashlib.sha256(frozen.encode()).hexdigest() == first.sha256
    assert [v.version for v in synthesis.history(session, actor=record.participant, process_id=record.process.id)] == [1, 2]
    head = synthesis.letterhead(record.process, second)
    assert head.administration == "Comune di Crema"
    assert re.fullmatch(r"Versione 2 approvata il \d\d/\d\d/\d{4} — SHA-256 [0-9a-f]{64}", head.status)
    assert synthesis.letterhead(record.process, draft).status == "Bozza non approvata"


@pytest.mark.parametrize(("typed", "shown"), [
    ("*a* _b_ `c` [d](e) <f> | g # h & i ~ j \\ k", None),
    ("- elenco", None), ("+ elenco", None), ("1. primo", None), ("12) dodici", None), ("# titolo", None),
    ("&amp; entità", None), ("Riga\ncon  a capo", "Riga con a capo"),
])
def test_typed_text_shows_as_typed_in_the_document(typed, shown):
    tree = parse(html_fragment(f"- {escape_line(typed)}\n"))
    items = list(tree.iter("li"))
    assert ["".join(li.itertext()) for li in items] == [shown or typed]
    assert len(items[0]) == 0  # no element inside: no emphasis, link, code, list or heading


def test_the_key_readings_are_captioned_tables_that_html_draws_as_charts(session):
    from tests.boards import known_process

    known = known_process.build(session)
    markdown = synthesis.generate(session, process_id=known.process.id)
    part = markdown.split("## Letture di sintesi\n\n")[1].split("\n## ")[0]
    assert part.startswith("*Contano i contributi degli enti, non le note della facilitazione.*\n\n")
    assert (
        "*Grafico a barre: Contributi per tipo di ente*\n\n| Tipo di ente | Contributi |\n| --- | ---: |\n"
        "| Pubblica amministrazione | 8 |\n| Ente sanitario | 5 |\n| Terzo settore | 13 |\n| Altro | 1 |\n"
        "| **Totale** | **27** |\n") in part
    assert ("| Incontro 1 | 13 |\n| Tra l'incontro 1 e il 2 | 1 |\n| Incontro 2 | 6 |\n"
            "| Tra l'incontro 2 e il 3 | 2 |\n| Incontro 3 | 5 |\n| **Totale** | **27** |") in part
    # A contribution in two lines counts in each: no total row.
    assert ("| Casa e accoglienza | 6 |\n| Lavoro e formazione | 5 |\n| Non ancora in una linea di lavoro | 17 |\n\n"
            "*Un contributo legato a più linee di lavoro conta in ciascuna.*") in part
    assert "| Incontro 1 | 10 |\n| Incontro 2 | 7 |\n| Incontro 3 | 6 |" in part
    # Confirmed pledges, cumulative: October 10.000 + 5.000,50 + 1.000 + 2.400,25; the
    # December one confirmed at 00:30 in Rome.
    assert ("*Grafico a gradini: Impegni confermati nel tempo, cumulati (€)*\n\n| Mese | Totale (€) |\n"
            "| --- | ---: |\n| 10/2026 | 18.400,75 |\n| 11/2026 | 24.901,10 |\n| 12/2026 | 25.901,09 |") in part
    charts = re.findall(r'<svg [^>]*id="(figure-\d)"[^>]*>\n<title[^>]*>([^<]*)</title>', html_fragment(markdown))
    assert charts == [("figure-1", "Contributi per tipo di ente"),
                      ("figure-2", "Contributi negli incontri e tra un incontro e l&#x27;altro"),
                      ("figure-3", "Contributi per linea di lavoro"), ("figure-4", "Enti presenti per incontro"),
                      ("figure-5", "Impegni confermati nel tempo, cumulati (€)")]
    english = synthesis.generate(session, process_id=known.process.id, lang="en")
    assert "*Bar chart: Contributions by kind of organisation*" in english
    assert "| 12/2026 |" not in english and "| 2026-12 | 25,901.09 |" in english
    assert len(re.findall("<svg ", html_fragment(english))) == 5


def test_without_contributions_the_readings_say_so(session, record):
    process = builders.process(session, record.facilitator)
    markdown = synthesis.generate(session, process_id=process.id)
    assert "## Letture di sintesi\n\n*Contano i contributi degli enti, non le note della facilitazione.*\n\n" \
           "*Nessun contributo è stato ancora raccolto.*\n" in markdown
    assert "<svg" not in html_fragment(markdown)


def test_a_statement_changed_since_the_form_was_read_is_not_replaced(session, record):
    notes = record.notes
    statement = synthesis.add_statement(session, actor=record.facilitator, process_id=record.process.id,
                                        text="Serve un dormitorio", item_ids=[notes["dormitorio"].id])
    view = synthesis.statement_view(statement, [notes["dormitorio"].id])
    base = view["sha256"]
    assert base == synthesis.statement_sha256("Serve un dormitorio", [notes["dormitorio"].id])
    # One editor adds a source; another, who read the statement before, rewrites the text.
    synthesis.update_statement(session, actor=record.facilitator, statement_id=statement.id,
                               item_ids=[notes["dormitorio"].id, notes["mensa"].id], base_sha256=base)
    with pytest.raises(Conflict, match="changed after you opened it"):
        synthesis.update_statement(session, actor=record.facilitator, statement_id=statement.id,
                                   text="Serve un dormitorio aperto di giorno", item_ids=[notes["dormitorio"].id],
                                   base_sha256=base)
    assert statement.text == "Serve un dormitorio"
    both = sorted([notes["dormitorio"].id, notes["mensa"].id])
    assert synthesis.sources_of(session, [statement.id])[statement.id] == both
    # Leaving it as it is now is no conflict; a save from the new base goes through.
    synthesis.update_statement(session, actor=record.facilitator, statement_id=statement.id,
                               text="Serve un dormitorio", base_sha256=base)
    synthesis.update_statement(session, actor=record.facilitator, statement_id=statement.id,
                               text="Serve un dormitorio aperto di giorno",
                               base_sha256=synthesis.statement_sha256("Serve un dormitorio", both))
    assert statement.text == "Serve un dormitorio aperto di giorno"
    change = synthesis.last_change(session, statement)
    assert change.action == "statement.update" and change.account_id == record.facilitator.account.id
