"""What the meeting room's page brings besides the board (app/pages/room.py): the meeting's
record, readable by every member without JavaScript, its forms for staff only, and the
participants a facilitator may place in groups."""

from __future__ import annotations

import json
import re
from datetime import date

from sqlmodel import Session, select

from boards import decisions
from boards.models import Board, BoardKind, BreakoutGroup, DecisionMethod, GroupMember, Item, ItemKind, Meeting, Person

PLACEABLE = re.compile(r"data-placeable='(\[[^']*\])'")


def room(world) -> str:
    return f"/meetings/{world.meeting['id']}/room"


def record_some(engine, world) -> None:
    with Session(engine) as session:
        meeting = session.get(Meeting, world.meeting["id"])
        chair = session.exec(select(Person).where(Person.process_id == world.process,
                                                  Person.account_id == world.facilitator.id)).one()
        decisions.record_decision(session=session, meeting=meeting, actor_person=chair,
                                  text="Aprire il dormitorio di giorno", method=DecisionMethod.consensus,
                                  outcome="approvata")
        decisions.add_action(session=session, meeting=meeting, actor_person=chair, text="Chiedere i preventivi",
                             owner_id=world.organizations["health"], due=date(2026, 12, 15))
        session.commit()


def test_every_member_reads_the_record_and_only_staff_get_its_forms(client, world, engine):
    record_some(engine, world)
    client.cookies.set("tavolo_session", world.participant["token"])
    text = client.get(room(world)).text
    record = text.split('id="meeting-record"', 1)[1]
    assert '<p class="record-decision-text">Aprire il dormitorio di giorno</p>' in record
    assert "Decisa per consenso · Esito: approvata" in record
    assert "Chiedere i preventivi" in record and "ULSS 6 Euganea" in record and "15 dicembre 2026" in record
    assert "Nessuna linea di lavoro." in record
    assert 'data-op="decision.record"' not in record and 'data-op="action.add"' not in record
    assert 'id="facilitation-panel"' not in text and "data-summon" not in text

    client.cookies.clear()
    staff = client.get(room(world), headers=world.facilitator.auth).text
    assert 'data-op="decision.record"' in staff and 'data-op="action.add"' in staff
    assert 'id="facilitation-panel"' in staff and "data-summon" in staff and 'id="line-dialog"' in staff


def test_a_decision_names_the_notes_it_rests_on_as_each_reader_may_read_them(client, world, engine):
    """A note of a group's board is named for the group and the staff, only counted for the
    others; a private note's text stays with its author and the staff."""
    member = world.participant["person"]
    with Session(engine) as session:
        meeting = session.get(Meeting, world.meeting["id"])
        group = BreakoutGroup(meeting_id=meeting.id, name="Gruppo A", position=1)
        session.add(group)
        session.flush()
        board = Board(meeting_id=meeting.id, title="Gruppo A", kind=BoardKind.group, group_id=group.id)
        session.add(board)
        session.flush()
        group.board_id = board.id
        session.add(GroupMember(group_id=group.id, person_id=member))
        notes = [Item(board_id=meeting.plenary_board_id, kind=ItemKind.note, author_id=member, text=text,
                      private=private)
                 for text, private in [("Docce in plenaria", False), ("Idea riservata", True)]]
        notes.insert(1, Item(board_id=board.id, kind=ItemKind.note, author_id=member, text="Scritta dal gruppo"))
        session.add_all(notes)
        session.flush()
        chair = session.exec(select(Person).where(Person.process_id == world.process,
                                                  Person.account_id == world.facilitator.id)).one()
        decisions.record_decision(session=session, meeting=meeting, actor_person=chair, text="Aprire le docce",
                                  method=DecisionMethod.consensus, outcome="approvata",
                                  item_ids=[note.id for note in notes])
        session.commit()

    def rests_on(**auth) -> str:
        client.cookies.clear()
        if "token" in auth:
            client.cookies.set("tavolo_session", auth["token"])
        page = client.get(room(world), headers=auth.get("headers")).text
        return page.split('id="meeting-record"', 1)[1]

    named = "Si basa su: “Docce in plenaria”, “Scritta dal gruppo”, “Idea riservata”"
    assert named in rests_on(headers=world.facilitator.auth)
    assert named in rests_on(token=world.participant["token"])
    other = rests_on(token=world.observer["token"])
    assert "Si basa su: “Docce in plenaria”, Nota privata e un altro contributo" in other
    assert "Scritta dal gruppo" not in other and "Idea riservata" not in other


def test_the_panel_lists_the_participants_a_facilitator_may_place(client, world):
    staff = client.get(room(world), headers=world.facilitator.auth).text
    placeable = json.loads(PLACEABLE.search(staff).group(1))
    # The participant, not the observer nor the staff.
    assert placeable == [world.participant["person"]]
