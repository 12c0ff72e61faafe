"""What the meeting room's page brings besides the board (app/pages/room.py): the meeting's
record, readable by every member without JavaScript, its forms for staff only, and the
participants a facilitator may place in groups."""

from __future__ import annotations

import json
import re
from datetime import date

from sqlmodel import Session, select

from boards import decisions
from boards.models import DecisionMethod, Meeting, Person

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


def test_the_panel_lists_the_participants_a_facilitator_may_place(client, world):
    staff = client.get(room(world), headers=world.facilitator.auth).text
    placeable = json.loads(PLACEABLE.search(staff).group(1))
    # The participant, not the observer nor the staff.
    assert placeable == [world.participant["person"]]
