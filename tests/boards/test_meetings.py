"""boards.meetings: numbering, the plenary board, the agenda and its limits, start times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlmodel import select

from boards import meetings, processes
from boards.errors import InvalidInput, Locked, NotAllowed
from boards.models import TEXT_LIMIT, AgendaItem, Board, BoardKind, MeetingMode, MeetingState
from tests.boards.builders import invited, meeting, organization, process, staff_actor


@pytest.fixture
def place(session):
    facilitator = staff_actor(session)
    return facilitator, process(session, facilitator)


def test_meetings_are_numbered_in_order_per_process(session, place):
    facilitator, percorso = place
    assert [meeting(session, facilitator, percorso.id).number for _ in range(3)] == [1, 2, 3]
    other = process(session, facilitator)
    assert meeting(session, facilitator, other.id).number == 1
    assert meeting(session, facilitator, percorso.id).number == 4


def test_a_meeting_starts_scheduled_with_its_plenary_board(session, place):
    facilitator, percorso = place
    created = meeting(session, facilitator, percorso.id, mode=MeetingMode.hybrid,
                      location="Sala Paladin")
    assert created.state == MeetingState.scheduled
    board = session.get(Board, created.plenary_board_id)
    assert board.meeting_id == created.id and board.kind == BoardKind.plenary
    view = meetings.meeting_view(session, created)
    assert view["plenary_board"] == board.id and view["mode"] == "hybrid"
    assert view["boards"] == [{"id": board.id, "title": "Plenaria", "kind": "plenary",
                               "group": None, "locked": False, "private": False}]


def test_start_times_are_kept_in_utc(session, place):
    facilitator, percorso = place
    rome = timezone(timedelta(hours=1))
    created = meeting(session, facilitator, percorso.id,
                      starts_at=datetime(2027, 1, 12, 9, 30, tzinfo=rome))
    assert meetings.meeting_view(session, created)["starts_at"] == "2027-01-12T08:30:00Z"
    naive = meeting(session, facilitator, percorso.id, starts_at=datetime(2027, 1, 12, 9, 30))
    assert meetings.meeting_view(session, naive)["starts_at"] == "2027-01-12T09:30:00Z"
    with pytest.raises(InvalidInput, match="starts_at"):
        meeting(session, facilitator, percorso.id,
                starts_at=datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5))))


def test_the_agenda_keeps_its_order_and_limits(session, place):
    facilitator, percorso = place
    points = [f"Punto {n}" for n in range(meetings.AGENDA_LIMIT)]
    created = meeting(session, facilitator, percorso.id, agenda=points)
    assert meetings.agenda_of(session, created.id) == points
    for agenda, message in [
        ([f"Punto {n}" for n in range(meetings.AGENDA_LIMIT + 1)], "at most 50"),
        (["Apertura", "   "], "agenda"),
        (["x" * (TEXT_LIMIT + 1)], "longer than 2000"),
    ]:
        with pytest.raises(InvalidInput, match=message):
            meeting(session, facilitator, percorso.id, agenda=agenda)
    assert meeting(session, facilitator, percorso.id, agenda=["x" * TEXT_LIMIT])


def test_updating_replaces_the_agenda_until_the_meeting_ends(session, place):
    facilitator, percorso = place
    created = meeting(session, facilitator, percorso.id, agenda=["Uno", "Due"])
    meetings.update_meeting(session, actor=facilitator, meeting_id=created.id,
                            agenda=["Tre"], title="Rinviato",
                            starts_at=datetime(2027, 2, 1, 10, tzinfo=UTC))
    session.flush()
    assert meetings.agenda_of(session, created.id) == ["Tre"]
    rows = session.exec(select(AgendaItem).where(AgendaItem.meeting_id == created.id)).all()
    assert [(row.position, row.text) for row in rows] == [(1, "Tre")]
    assert created.title == "Rinviato"
    created.state = MeetingState.ended
    with pytest.raises(Locked):
        meetings.update_meeting(session, actor=facilitator, meeting_id=created.id, title="Dopo")


def test_a_thematic_table_of_another_process_is_refused(session, place):
    facilitator, percorso = place
    other = process(session, facilitator)
    table = processes.add_thematic_table(session, actor=facilitator, process_id=other.id,
                                         title="Altro")
    with pytest.raises(InvalidInput, match="Thematic table"):
        meeting(session, facilitator, percorso.id, thematic_table_id=table.id)


def test_only_staff_schedule(session, place):
    facilitator, percorso = place
    ente = organization(session, facilitator, percorso.id)
    _, participant = invited(session, facilitator, percorso.id, ente.id)
    with pytest.raises(NotAllowed):
        meeting(session, participant, percorso.id)
