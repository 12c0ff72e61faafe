"""The insights dashboard on a process whose every contribution is known
(tests/boards/known_process.py): every figure checked exactly, with and without filters,
across an administration's processes, and who may read it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import select

from boards import insights, processes
from boards.errors import InvalidInput, NotAllowed, NotFound
from boards.insights import Filters, parse_filters
from boards.models import (
    Board,
    BoardKind,
    Invite,
    Item,
    ItemKind,
    OrganizationKind,
    Person,
    PersonRole,
    ProcessKind,
    ThematicTable,
)
from tests.boards import builders, known_process
from tests.boards.known_process import TODAY


@pytest.fixture
def known(session):
    return known_process.build(session)


def counts(series) -> list[tuple[str, str, object]]:
    return [(count.key, count.label, count.value) for count in series.counts]


def dashboard(session, known, lang="it", **filters):
    return insights.process_dashboard(session, actor=known.facilitator, process_id=known.process.id,
                                      filters=Filters(**filters), lang=lang, today=TODAY)


def test_contributions_by_line_question_kind_and_period(session, known):
    board = dashboard(session, known)
    m = {number: meeting.id for number, meeting in known.meetings.items()}
    q, line = known.questions, known.lines
    assert board.contributions == 27 and board.meetings == 3
    # A note in two lines counts in each; 17 notes are in none.
    assert counts(board.by_line) == [
        (f"line:{line['L1'].id}", "Casa e accoglienza", 6),
        (f"line:{line['L2'].id}", "Lavoro e formazione", 5),
        ("line:none", "Non ancora in una linea di lavoro", 17),
    ]
    # Q3 asks again what Q1 asked: one bar under Q1's key.
    assert counts(board.by_question) == [
        (f"question:{q['Q1'].id}", "Quali bisogni vedete nel quartiere?", 14),
        (f"question:{q['Q4'].id}", "Come misuriamo i risultati, come chiedeva Zanetti?", 5),
        (f"question:{q['Q2'].id}", "Quali risorse potete mettere in campo?", 3),
        ("question:none", "Senza domanda guida", 5),
    ]
    assert counts(board.by_kind) == [
        ("kind:public", "Pubblica amministrazione", 8), ("kind:health", "Ente sanitario", 5),
        ("kind:third_sector", "Terzo settore", 13), ("kind:other", "Altro", 1),
    ]
    # The scheduled fourth meeting is not there; the note posted on meeting 3's board before
    # it started falls between meetings 2 and 3.
    assert counts(board.over_time) == [
        (f"meeting:{m[1]}", "Incontro 1", 13), (f"after:{m[1]}", "Tra l'incontro 1 e il 2", 1),
        (f"meeting:{m[2]}", "Incontro 2", 6), (f"after:{m[2]}", "Tra l'incontro 2 e il 3", 2),
        (f"meeting:{m[3]}", "Incontro 3", 5),
    ]
    assert board.by_line.total == 28 and board.by_question.total == board.by_kind.total == board.over_time.total == 27


def test_over_time_by_kind_splits_each_period(session, known):
    board = dashboard(session, known)
    by_kind = board.over_time_by_kind
    assert [series.title for series in by_kind.series] == [
        "Pubblica amministrazione", "Ente sanitario", "Terzo settore", "Altro"]
    for series in by_kind.series:
        assert [count.key for count in series.counts] == [count.key for count in board.over_time.counts]
    for index, count in enumerate(board.over_time.counts):
        assert sum(series.counts[index].value for series in by_kind.series) == count.value
    assert [series.total for series in by_kind.series] == [count.value for count in board.by_kind.counts]


def test_participation_presence_and_silence(session, known):
    board = dashboard(session, known)
    m = {number: meeting.id for number, meeting in known.meetings.items()}
    # Meeting 2: H1 holds H2's proxy, so both bodies are present.
    assert counts(board.presence) == [(f"meeting:{m[1]}", "Incontro 1", 10), (f"meeting:{m[2]}", "Incontro 2", 7),
                                      (f"meeting:{m[3]}", "Incontro 3", 6)]
    assert board.participation.columns == ["Tipo di ente", "Enti", "Presenti almeno una volta", "Hanno contribuito",
                                           "Contributi"]
    assert board.participation.rows == [["Pubblica amministrazione", 3, 3, 3, 8], ["Ente sanitario", 2, 2, 2, 5],
                                        ["Terzo settore", 4, 4, 4, 13], ["Altro", 1, 1, 1, 1]]
    # Silent: contributed before meeting 3 started, not since (asynchronous notes included).
    assert board.silent.columns == ["Ente", "Tipo di ente", "Contributi precedenti", "Ultimo contributo",
                                    "Presente all'ultimo incontro"]
    assert board.silent.rows == [
        ["Comune di Villadose", "Pubblica amministrazione", 2, "2026-10-19", "no"],
        ["Consultorio Familiare", "Ente sanitario", 1, "2026-10-05", "no"],
        ["Associazione Aurora", "Terzo settore", 3, "2026-10-19", "sì"],
        ["Cooperativa Girasole", "Terzo settore", 1, "2026-10-05", "no"],
        ["Parrocchia San Rocco", "Altro", 1, "2026-10-05", "no"],
    ]


def test_pledges_by_partner_and_cumulative_by_month_in_exact_euro(session, known):
    board = dashboard(session, known)
    b = known.body
    assert counts(board.pledges_by_partner) == [
        (f"organization:{b('P1')}", "Comune di Lusia", Decimal("10000.00")),
        (f"organization:{b('P2')}", "Comune di Villadose", Decimal("5000.50")),
        (f"organization:{b('T1')}", "Cooperativa Il Faro", Decimal("4400.24")),
        (f"organization:{b('T4')}", "Cooperativa Girasole", Decimal("3000.00")),
        (f"organization:{b('T2')}", "Associazione Aurora", Decimal("1950.00")),
        (f"organization:{b('T3')}", "Fondazione Ponte", Decimal("1050.35")),
        (f"organization:{b('O1')}", "Parrocchia San Rocco", Decimal("500.00")),
    ]
    assert board.pledges_by_partner.total == Decimal("25901.09")
    lines = {series.title: [c.value for c in series.counts] for series in board.pledges_over_time.series}
    assert [c.key for c in board.pledges_over_time.series[0].counts] == ["2026-10", "2026-11", "2026-12"]
    assert lines == {
        "Comune di Lusia": [Decimal("10000.00")] * 3,
        "Comune di Villadose": [Decimal("5000.50")] * 3,
        # The goods confirmed at 23:30 UTC on 30 November count in December, Italian time.
        "Cooperativa Il Faro": [Decimal("3400.25"), Decimal("3400.25"), Decimal("4400.24")],
        "Cooperativa Girasole": [Decimal("0.00"), Decimal("3000.00"), Decimal("3000.00")],
        "Associazione Aurora": [Decimal("0.00"), Decimal("1950.00"), Decimal("1950.00")],
        "Fondazione Ponte": [Decimal("0.00"), Decimal("1050.35"), Decimal("1050.35")],
        "Parrocchia San Rocco": [Decimal("0.00"), Decimal("500.00"), Decimal("500.00")],
    }
    assert board.pledges_table.columns[0] == "Mese" and board.pledges_table.columns[-1] == "Totale"
    assert [row[0] for row in board.pledges_table.rows] == ["2026-10", "2026-11", "2026-12"]
    assert [row[-1] for row in board.pledges_table.rows] == [Decimal("18400.75"), Decimal("24901.10"),
                                                             Decimal("25901.09")]


def test_open_actions_by_owner_and_due_date_with_overdue_flagged(session, known):
    board = dashboard(session, known)
    b = known.body
    assert counts(board.actions_by_owner) == [(f"organization:{b('T1')}", "Cooperativa Il Faro", 2),
                                              (f"organization:{b('P1')}", "Comune di Lusia", 1),
                                              (f"organization:{b('H1')}", "ULSS 5 Polesana", 1)]
    assert counts(board.actions_by_due) == [("due:overdue", "Scadute", 1),
                                            ("due:soon", "In scadenza entro 30 giorni", 1),
                                            ("due:later", "Scadenza successiva", 1), ("due:none", "Senza scadenza", 1)]
    assert board.open_actions.rows == [
        ["Comune di Lusia", "Pubblica amministrazione", "Mappare gli alloggi sfitti", "2026-11-01", "sì", "Incontro 1"],
        ["Cooperativa Il Faro", "Terzo settore", "Bozza del piano formativo", "2026-12-10", "no", "Incontro 2"],
        ["Cooperativa Il Faro", "Terzo settore", "Calendario dei laboratori", "2027-02-01", "no", "Incontro 3"],
        ["ULSS 5 Polesana", "Ente sanitario", "Dati sugli accessi", "", "no", "Incontro 3"],
    ]


def test_filter_by_kind(session, known):
    board = dashboard(session, known, organization_kind=OrganizationKind.third_sector)
    m = {number: meeting.id for number, meeting in known.meetings.items()}
    assert board.contributions == 13
    assert counts(board.by_kind) == [("kind:third_sector", "Terzo settore", 13)]
    assert counts(board.over_time) == [(f"meeting:{m[1]}", "Incontro 1", 6), (f"meeting:{m[2]}", "Incontro 2", 3),
                                       (f"after:{m[2]}", "Tra l'incontro 2 e il 3", 2),
                                       (f"meeting:{m[3]}", "Incontro 3", 2)]
    assert [c.value for c in board.presence.counts] == [4, 3, 3]
    assert board.participation.rows == [["Terzo settore", 4, 4, 4, 13]]
    assert [row[0] for row in board.silent.rows] == ["Associazione Aurora", "Cooperativa Girasole"]
    assert [c.label for c in board.pledges_by_partner.counts] == ["Cooperativa Il Faro", "Cooperativa Girasole",
                                                                   "Associazione Aurora", "Fondazione Ponte"]
    assert [row[2] for row in board.open_actions.rows] == ["Bozza del piano formativo", "Calendario dei laboratori"]


def test_filter_by_thematic_table(session, known):
    board = dashboard(session, known, thematic_table=known.tables["A"].id)
    m = {number: meeting.id for number, meeting in known.meetings.items()}
    # Meetings 1 and 3 (table A): what was posted on their boards, even between meetings.
    assert board.contributions == 13 + 1 + 1 + 5 and board.meetings == 2
    assert counts(board.over_time) == [(f"meeting:{m[1]}", "Incontro 1", 13),
                                       (f"after:{m[1]}", "Tra l'incontro 1 e il 2", 1),
                                       (f"after:{m[2]}", "Tra l'incontro 2 e il 3", 1),
                                       (f"meeting:{m[3]}", "Incontro 3", 5)]
    assert [c.value for c in board.presence.counts] == [10, 6]
    # Pledges belong to the process, not to a table.
    assert board.pledges_by_partner.total == Decimal("25901.09")
    assert [row[2] for row in board.open_actions.rows] == ["Mappare gli alloggi sfitti", "Calendario dei laboratori",
                                                           "Dati sugli accessi"]


def test_filter_by_period(session, known):
    board = dashboard(session, known, since=date(2026, 10, 19), until=date(2026, 10, 31))
    m = {number: meeting.id for number, meeting in known.meetings.items()}
    assert board.contributions == 7 and board.meetings == 1
    assert counts(board.over_time) == [(f"meeting:{m[2]}", "Incontro 2", 6),
                                       (f"after:{m[2]}", "Tra l'incontro 2 e il 3", 1)]
    assert [c.value for c in board.presence.counts] == [7]
    assert [(c.label, c.value) for c in board.pledges_by_partner.counts] == [
        ("Comune di Villadose", Decimal("5000.50")), ("Cooperativa Il Faro", Decimal("3400.25"))]
    # Only meeting 2 is in the period; the silent need a meeting before the last one.
    assert board.silent.rows == []
    assert [row[2] for row in board.open_actions.rows] == ["Bozza del piano formativo"]


def test_english_labels(session, known):
    board = dashboard(session, known, lang="en")
    assert board.by_line.title == "Contributions by line of work"
    assert board.by_line.counts[-1].label == "Not yet in a line of work"
    assert [c.label for c in board.over_time.counts][:2] == ["Meeting 1", "Between meetings 1 and 2"]
    assert board.silent.rows[2][-1] == "yes" and board.by_kind.counts[2].label == "Third Sector"


def test_view_is_json_ready_with_exact_euro(session, known):
    view = dashboard(session, known).view()
    assert view["filters"] == {} and view["contributions"] == 27 and view["today"] == "2026-11-20"
    readings = {reading["key"]: reading for reading in view["readings"]}
    assert list(readings) == ["by_line", "by_question", "by_kind", "over_time", "presence", "participation", "silent",
                              "pledges_by_partner", "pledges_over_time", "pledges_table", "actions_by_owner",
                              "actions_by_due", "open_actions"]
    assert readings["pledges_by_partner"]["counts"][0]["value"] == "10000.00"
    assert readings["pledges_table"]["rows"][-1][-1] == "25901.09"
    assert readings["pledges_over_time"]["type"] == "series_group"
    assert readings["participation"]["type"] == "table" and readings["by_kind"]["type"] == "series"


def test_parse_filters_round_trips_and_explains_mistakes():
    filters = parse_filters({"since": "2026-10-01", "until": "2026-10-31", "table": "7", "kind": "health",
                             "lang": "en"})
    assert filters == Filters(date(2026, 10, 1), date(2026, 10, 31), 7, OrganizationKind.health)
    assert parse_filters(filters.query()) == filters
    assert parse_filters({"since": "", "table": " ", "kind": ""}) == Filters()
    for params, message in [({"since": "1/10/2026"}, "'since' must be a date"),
                            ({"until": "2026-02-30"}, "'until' must be a date"),
                            ({"since": "2026-11-01", "until": "2026-10-01"}, "must not be after"),
                            ({"table": "tavolo"}, "'table' must be the id"), ({"table": "0"}, "'table' must be"),
                            ({"table": "99999999999"}, "'table' must be"),
                            ({"kind": "ngo"}, "'kind' must be one of: public, health, third_sector, other")]:
        with pytest.raises(InvalidInput, match=message):
            parse_filters(params)


def test_who_may_read_a_process_dashboard(session, known):
    process_id = known.process.id
    invite = session.exec(select(Invite).where(Invite.person_id == known.people["T1"].id)).one()
    partner = builders.person_actor(known.people["T1"], invite_id=invite.id)
    assert insights.process_dashboard(session, actor=partner, process_id=process_id, today=TODAY).contributions == 27
    assert insights.process_dashboard(session, actor=known.secretary, process_id=process_id).contributions == 27
    invite.meetings = [known.meetings[1].id]
    session.add(invite)
    session.flush()
    with pytest.raises(NotAllowed, match="some meetings only"):
        insights.process_dashboard(session, actor=partner, process_id=process_id)
    with pytest.raises(NotAllowed):
        insights.process_dashboard(session, actor=builders.staff_actor(session), process_id=process_id)
    with pytest.raises(NotFound):
        insights.process_dashboard(session, actor=known.facilitator, process_id=2**31 - 1)
    other = builders.process(session, known.facilitator)
    table = ThematicTable(process_id=other.id, title="Altrove")
    session.add(table)
    session.flush()
    with pytest.raises(InvalidInput, match="not part of this process"):
        dashboard(session, known, thematic_table=table.id)


def test_administration_dashboard_spans_its_processes_the_actor_is_staff_of(session, known):
    second = processes.create_process(session, actor=known.facilitator, title="Percorso due",
                                      kind=ProcessKind.co_design, administration=known.administration.upper())
    elsewhere = builders.process(session, known.facilitator, administration="Comune di Adria")
    body = builders.organization(session, known.facilitator, second.id, kind=OrganizationKind.other,
                                 name="Circolo Anziani")
    meeting = builders.meeting(session, known.facilitator, second.id)
    person = Person(process_id=second.id, name="Nessuno", role=PersonRole.participant, organization_id=body.id)
    plenary = Board(meeting_id=meeting.id, title="Plenaria", kind=BoardKind.plenary)
    session.add_all([person, plenary])
    session.flush()
    session.add(Item(board_id=plenary.id, kind=ItemKind.note, text="Uno", author_id=person.id,
                     organization_id=body.id, created_at=known_process.at("2026-10-05")))
    session.flush()
    board = insights.administration_dashboard(session, actor=known.facilitator,
                                              administration=known.administration.lower(), today=TODAY)
    assert board.process_ids == [known.process.id, second.id] and elsewhere.id not in board.process_ids
    assert board.contributions == 28
    assert counts(board.by_kind)[-1] == ("kind:other", "Altro", 2)
    # Labels say which process a meeting belongs to; meeting 1 of the second one was not held.
    assert [c.label for c in board.over_time.counts] == [
        "Percorso Polesine solidale: Incontro 1", "Percorso Polesine solidale: Tra l'incontro 1 e il 2",
        "Percorso Polesine solidale: Incontro 2", "Percorso Polesine solidale: Tra l'incontro 2 e il 3",
        "Percorso Polesine solidale: Incontro 3", "Percorso due: Incontro 1"]
    with pytest.raises(NotFound, match="staff of no process"):
        insights.administration_dashboard(session, actor=known.secretary, administration="Comune di Adria")
    with pytest.raises(InvalidInput, match="must name"):
        insights.administration_dashboard(session, actor=known.facilitator, administration="  ")
    partner = builders.person_actor(known.people["T1"])
    with pytest.raises(NotAllowed, match="staff accounts"):
        insights.administration_dashboard(session, actor=partner, administration=known.administration)
