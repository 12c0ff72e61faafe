"""boards.audit: who changed what, when, in the transaction of the change."""

from __future__ import annotations

from sqlmodel import Session

from boards import audit
from boards.models import Person
from tests.boards.builders import person_actor, process, staff_actor


def test_entries_record_the_actor_and_come_newest_first(session):
    facilitator = staff_actor(session)
    percorso = process(session, facilitator)
    audit.record(session, actor=facilitator, action="meeting.update", process_id=percorso.id,
                 target="meeting:1", title="Nuovo titolo")
    audit.record(session, actor=None, action="join.code", process_id=percorso.id)
    session.flush()
    newest, middle, oldest = audit.entries(session, process_id=percorso.id)
    assert (newest.action, newest.account_id, newest.person_id) == ("join.code", None, None)
    assert middle.account_id == facilitator.account.id and middle.detail == {
        "title": "Nuovo titolo"}
    assert oldest.action == "process.create"
    assert len(audit.entries(session, process_id=percorso.id, limit=2)) == 2


def test_a_person_actor_is_recorded_as_a_person(session):
    facilitator = staff_actor(session)
    percorso = process(session, facilitator)
    staff_person = audit.entries(session, process_id=percorso.id)[0]
    person = Person(process_id=percorso.id, name="Anna", role="participant")
    session.add(person)
    session.flush()
    entry = audit.record(session, actor=person_actor(person), action="item.create",
                         process_id=percorso.id)
    assert (entry.person_id, entry.account_id) == (person.id, None)
    assert staff_person.person_id is None


def test_an_entry_is_lost_with_its_rolled_back_change(engine):
    with Session(engine) as session:
        facilitator = staff_actor(session)
        percorso = process(session, facilitator)
        process_id = percorso.id
        session.rollback()
    with Session(engine) as session:
        assert audit.entries(session, process_id=process_id) == []
